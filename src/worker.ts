// The app's engine worker is the one the library ships (src/lib/worker.ts); this file only gives
// Vite a worker entry beside the app. Its WASM files are emitted next to it (vite.config.ts).
import './lib/worker';
