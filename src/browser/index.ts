// Browser entry: the whole public API plus the tfjs it uses, in one ES module. Serve the tfjs
// .wasm files copied beside it by the build and call init({ wasmPaths: new URL('./', import.meta.url).href }).
export * from '../index';
