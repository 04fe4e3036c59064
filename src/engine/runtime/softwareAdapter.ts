/**
 * Adapter descriptions of software renderers: WebGPU runs there, but `auto` does not count them
 * as a GPU (SwiftShader trains ~20x slower than WASM). No tfjs import, so tools may use it.
 */
export const SOFTWARE_ADAPTER = /swiftshader|llvmpipe|lavapipe|softpipe|software|microsoft basic render/i;
