// tfjs backend selection. The library depends on tfjs-core (a peer: the app's tfjs, one instance)
// and the backends it uses: cpu and wasm register themselves on import (in Node wasm finds its own
// .wasm files, in a page they are served next to the bundle: pass wasmPaths); webgl is imported
// when it is asked for, so Node never loads it.
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients by itself (the @tensorflow/tfjs umbrella and tfjs-layers import
// its register_all_gradients): this is that file, bundled for Node by scripts/build.mjs. The
// registry is global, so an app's own tfjs sees the same gradients; nn/gradient-fixes replaces some.
import '../../build/tfjs-gradients.js';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ConfigError } from '../errors';

export type BackendName = 'wasm' | 'cpu' | 'webgl';
export const BACKENDS: readonly BackendName[] = ['wasm', 'cpu', 'webgl'];

let wasmPathsGiven: string | undefined;

/** The wasmPaths given to setBackend, if any (a pool worker initialises as its parent did). */
export function wasmPathsInUse(): string | undefined {
  return wasmPathsGiven;
}

export async function setBackend(backend: BackendName, wasmPaths?: string): Promise<void> {
  if (!BACKENDS.includes(backend)) throw new ConfigError('backend', backend, BACKENDS.join(' | '));
  // tfjs would try, print its own warning and fail; say why in one line instead.
  if (backend === 'webgl' && !tf.env().getBool('IS_BROWSER')) throw new ConfigError('backend', backend, 'wasm | cpu here (webgl is browser-only: a page or a Web Worker)');
  if (backend === 'wasm' && wasmPaths) {
    setWasmPaths(wasmPaths);
    wasmPathsGiven = wasmPaths;
  }
  // Batches change size every task (rows per rollout); with shapes baked into its shaders, webgl
  // compiles new programs for each one: 17 s per CartPole iteration against 2.4 s with shapes as
  // uniforms (meta-batch 5, software WebGL, measured).
  if (backend === 'webgl') {
    await import('@tensorflow/tfjs-backend-webgl');
    tf.env().set('WEBGL_USE_SHAPES_UNIFORMS', true);
  }
  // tfjs names the backend (getBackend) as soon as setBackend starts, before its asynchronous
  // initialisation ends: a second caller meeting that name must still wait for it (tf.ready),
  // else its first tensor throws "Backend 'wasm' has not yet been initialized" (two cells of a
  // queue worker evaluating at once on a busy machine).
  if (tf.getBackend() === backend) {
    await tf.ready();
    return;
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`tfjs backend ${backend} could not be initialised here`);
  await tf.ready();
}

export { tf };
