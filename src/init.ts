import { loadWasm } from './core/wasm';
import { setBackend, type BackendName } from './core/backend';

export interface InitOptions {
  /** tfjs backend: 'wasm' (default), 'cpu' or 'webgl' (browser). */
  backend?: BackendName;
  /** Where the tfjs wasm backend finds its .wasm files (browser; Node finds them itself). */
  wasmPaths?: string;
}

/** Loads the WASM module and selects the tfjs backend. Safe to call more than once. */
export async function init(options: InitOptions = {}): Promise<void> {
  await loadWasm();
  await setBackend(options.backend ?? 'wasm', options.wasmPaths);
}
