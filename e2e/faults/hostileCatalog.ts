import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A title of exactly 10,000 characters: one unbroken word (the worst case for wrapping). */
export const LONG_TITLE = `Endless ${'W'.repeat(10_000 - 'Endless '.length)}`;

/**
 * The hostile titles the catalog gets, cycled over its items: markup that would run if inserted
 * as HTML, a script element, a 10,000-character title, and right-to-left overrides and marks with
 * Hebrew and Arabic text (which could reorder the text around them).
 */
export function hostileTitle(id: number): string {
  switch (id % 4) {
    case 0: return `<img src=x onerror="window.__pwned=(window.__pwned||0)+1">Orbit ${id}`;
    case 1: return `<script>window.__pwned=1</script>Nebula <b>${id}</b>`;
    case 2: return `${id} ${LONG_TITLE}`.slice(0, 10_000);
    default: return `\u202Eevil ${id}\u202C \u200Fשלום عالم\u200E`;
  }
}

interface ManifestFile { path: string; bytes: number; sha256: string }

/**
 * The tiny test model's catalog.json with every title replaced by a hostile one, and its
 * manifest.json with that file's size and sha256 updated, so the folder still verifies.
 */
export function hostileModelFiles(folder = 'public/models/tiny-test'): { catalog: Buffer; manifest: Buffer } {
  const c = JSON.parse(readFileSync(join(folder, 'catalog.json'), 'utf8')) as { items: { id: number; title: string; genres: string[] }[] };
  for (const it of c.items) {
    it.title = hostileTitle(it.id);
    if (it.id % 4 === 1) it.genres = [...it.genres, '<i>Drama</i>'];
  }
  const catalog = Buffer.from(JSON.stringify(c));
  const m = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { files: ManifestFile[] };
  const entry = m.files.find((f) => f.path === 'catalog.json');
  if (!entry) throw new Error('manifest.json lists no catalog.json');
  entry.bytes = catalog.length;
  entry.sha256 = createHash('sha256').update(catalog).digest('hex');
  return { catalog, manifest: Buffer.from(JSON.stringify(m)) };
}

/** A models folder (for the widget's origin) whose tiny-test has the hostile catalog. */
export function hostileModelsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'localrec-hostile-'));
  cpSync('public/models/tiny-test', join(dir, 'tiny-test'), { recursive: true });
  const { catalog, manifest } = hostileModelFiles();
  writeFileSync(join(dir, 'tiny-test', 'catalog.json'), catalog);
  writeFileSync(join(dir, 'tiny-test', 'manifest.json'), manifest);
  return dir;
}
