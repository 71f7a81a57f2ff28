import { loadWasm } from './core/wasm';
import { setBackend, type BackendName } from './core/backend';
import { installGradientFixes } from './nn/gradient-fixes';

export interface InitOptions {
  /** tfjs backend: 'wasm' (default), 'cpu' or 'webgl' (browser). */
  backend?: BackendName;
  /** Where the tfjs wasm backend finds its .wasm files (browser; Node finds them itself). */
  wasmPaths?: string;
}

/** Loads the WASM module, selects the tfjs backend and installs the second-order gradient fixes (global to tfjs). Safe to call more than once. */
export async function init(options: InitOptions = {}): Promise<void> {
  await loadWasm();
  await setBackend(options.backend ?? 'wasm', options.wasmPaths);
  installGradientFixes();
}
