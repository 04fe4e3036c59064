/**
 * The folder of a script URL (query and hash dropped), ending in "/". The worker uses it on its own
 * `import.meta.url` instead of `new URL('./', import.meta.url)`, a pattern bundlers (Vite) rewrite
 * into an asset of their own.
 */
export function folderOf(scriptUrl: string): string {
  const u = new URL(scriptUrl);
  u.search = '';
  u.hash = '';
  u.pathname = u.pathname.slice(0, u.pathname.lastIndexOf('/') + 1);
  return u.href;
}
