/** Plain code-unit order: deterministic and free of the ICU collator's first-use cost on the main thread. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
