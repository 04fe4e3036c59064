import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { build } from 'rolldown';
import type { Plugin } from 'vite';
import { isShellFile, SERVICE_WORKER_FILE, type PrecacheEntry, type ServiceWorkerBuild } from '../../src/sw/swLogic.ts';

const SOURCE = resolve(import.meta.dirname, '../../src/sw/serviceWorker.ts');

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile())
    .map((d) => relative(dir, join(d.parentPath, d.name)).split(sep).join('/'))
    .sort();
}

/** The app-shell files of a built site with their sizes and sha256 (model folders excluded). */
export function precacheEntries(outDir: string): PrecacheEntry[] {
  return listFiles(outDir)
    .filter(isShellFile)
    .map((path) => {
      const bytes = readFileSync(join(outDir, path));
      return { path, bytes: bytes.byteLength, sha256: createHash('sha256').update(bytes).digest('hex') };
    });
}

/** Bundles src/sw/serviceWorker.ts into one classic script with the build's precache list. */
export async function writeServiceWorker(outDir: string): Promise<ServiceWorkerBuild> {
  const out = await build({ input: SOURCE, write: false, output: { format: 'iife', minify: true }, logLevel: 'warn' });
  const code = out.output[0].code;
  const files = precacheEntries(outDir);
  const hash = createHash('sha256').update(code);
  for (const f of files) hash.update(`${f.path}\0${f.sha256}\n`);
  const swBuild: ServiceWorkerBuild = { buildId: hash.digest('hex').slice(0, 16), files };
  writeFileSync(join(outDir, SERVICE_WORKER_FILE), `var __LOCALREC_SW_BUILD__=${JSON.stringify(swBuild)};\n${code}`);
  return swBuild;
}

/**
 * Writes `sw.js` at the root of every production build, after the bundle and the public folder
 * are written, so its precache list and build id cover exactly the files of this build.
 */
export function serviceWorkerPlugin(): Plugin {
  let outDir = '';
  return {
    name: 'localrec-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const swBuild = await writeServiceWorker(outDir);
      this.info(`sw.js: build ${swBuild.buildId}, ${swBuild.files.length} app-shell files`);
    },
  };
}
