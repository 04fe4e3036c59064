/**
 * Rules for the optional `image` and `url` of a catalog item, shared by the catalog readers
 * (scripts, `npm run demo`) and the app's catalog.json loader.
 */

/** Why an image must be a relative path inside the site: said in every refusal. */
export const IMAGE_RULE =
  'an image must be a relative path to a file inside the site folder (e.g. images/42.jpg): an image from another origin would tell that origin which items the person looks at';

/**
 * Checks an item's image path; returns the problem, or null when it is a plain relative path
 * (no scheme such as https: or data:, no leading / or //, no "..", no backslash).
 */
export function imagePathProblem(value: string): string | null {
  const v = value.trim();
  if (v === '') return 'it is empty';
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return `"${v}" is a URL (${v.slice(0, v.indexOf(':') + 1)}), not a relative path`;
  if (v.startsWith('/') || v.startsWith('\\')) return `"${v}" is an absolute path, not relative to the site folder`;
  if (v.includes('\\')) return `"${v}" contains a backslash; use / between folders`;
  if (v.split('/').some((part) => part === '..')) return `"${v}" points outside the site folder ("..")`;
  return null;
}

/** Checks an item's link (opened only on the person's click): http(s) URLs only. */
export function itemUrlProblem(value: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(value.trim());
  } catch {
    return `"${value}" is not an absolute URL (expected https://…)`;
  }
  return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? null : `"${value}" is a ${parsed.protocol} URL; only http and https links are allowed`;
}

/** A readable label for an item that has only an id: "blue_mug-2" -> "Blue mug 2". */
export function labelFromId(id: string): string {
  const words = id.replace(/[_\-.]+/g, ' ').replace(/\s+/g, ' ').trim();
  if (words === '') return id;
  return /^\d+$/.test(words) ? `Item ${words}` : words[0].toUpperCase() + words.slice(1);
}
