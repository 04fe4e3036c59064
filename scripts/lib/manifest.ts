/**
 * Writes manifest.json (size and sha256 of every file) into a model folder. Run it last, after
 * every other file of the folder is final:  npx tsx scripts/lib/manifest.ts <model dir>
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MANIFEST_FILE, type ModelManifest } from '../../src/engine/loading/manifest';
import { MODEL_FORMAT_VERSION } from '../../src/engine/model/formatVersion';

export function writeManifest(dir: string, name = basename(resolve(dir))): ModelManifest {
  const files = readdirSync(dir)
    .filter((f) => f !== MANIFEST_FILE && statSync(join(dir, f)).isFile())
    .sort()
    .map((path) => {
      const bytes = readFileSync(join(dir, path));
      return { path, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
  const manifest: ModelManifest = { format: 'localrec-model', version: 1, formatVersion: MODEL_FORMAT_VERSION, name, files };
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 1) + '\n');
  return manifest;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write('usage: npx tsx scripts/lib/manifest.ts <model dir>\n');
    process.exit(2);
  }
  const m = writeManifest(dir);
  process.stderr.write(`manifest.json: ${m.files.length} files\n`);
}
