/**
 * Lets queued messages run (a macrotask). `await tensor.data()` resolves as a microtask on
 * WASM/CPU, so long chains of them would keep a worker from answering re-rank requests.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
