const two = (n: number): string => String(n).padStart(2, '0');

/**
 * Local date and time as "YYYY-MM-DD HH:MM:SS", or "never". Deliberately not toLocaleString /
 * Intl: the first Intl call in a page loads ICU locale data, which measured 55–170 ms on the main
 * thread in the long-task e2e test (the status panel re-renders right after fine-tuning).
 */
export function formatTime(ms: number | null): string {
  if (ms === null) return 'never';
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}
