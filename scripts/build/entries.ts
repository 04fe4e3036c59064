import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (absolute, ends in "/"). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const root = ROOT;

/** Source file of each public entry (package specifier -> file), for the app, examples and the library build. */
export const LIB_ENTRIES = {
  'localrec/react': `${root}src/lib/react/index.ts`,
  'localrec/node': `${root}src/lib/node/index.ts`,
  'localrec/widget': `${root}src/widget/index.ts`,
  localrec: `${root}src/lib/index.ts`,
} as const;

/** The widget entry is written on its own branch; the build includes it once it exists. */
export function hasWidgetEntry(): boolean {
  return existsSync(LIB_ENTRIES['localrec/widget']);
}

/** Vite aliases: exact specifiers (so `localrec` does not swallow `localrec/react`). */
export const LIB_ALIASES = Object.entries(LIB_ENTRIES).map(([find, replacement]) => ({
  find: new RegExp(`^${find.replace('/', '\\/')}$`),
  replacement,
}));
