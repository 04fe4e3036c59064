/** The discover setting (0 = familiar ... 1 = discover) in words, for the control and screen readers. */
export function discoverLabel(value: number): string {
  if (value < 0.125) return 'Familiar';
  if (value < 0.375) return 'Mostly familiar';
  if (value < 0.625) return 'Balanced';
  if (value < 0.875) return 'Mostly new';
  return 'Discover';
}
