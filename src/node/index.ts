// Node-only helpers (file system, CLI). Imported as 'directed-maml/node'.
export { main as cliMain } from './cli';
