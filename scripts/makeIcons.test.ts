import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodePng, ICONS } from './makeIcons';

const ROOT = join(import.meta.dirname, '..');

/** Width, height and colour type from a PNG's IHDR chunk. */
function header(png: Buffer): { width: number; height: number; colourType: number } {
  expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
  expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png[25] };
}

describe('app icons', () => {
  it('encodes RGBA pixels losslessly', () => {
    const px = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 128, 0, 0, 255, 0, 9, 9, 9, 9]);
    const png = encodePng(2, px);
    expect(header(png)).toEqual({ width: 2, height: 2, colourType: 6 });
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...raw]).toEqual([0, ...px.subarray(0, 8), 0, ...px.subarray(8)]);
  });

  it('every icon the web manifest lists is committed at its declared size', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'public/manifest.webmanifest'), 'utf8')) as { icons: { src: string; sizes: string; purpose?: string }[] };
    expect(manifest.icons.map((i) => i.src).sort()).toEqual(ICONS.map((i) => `icons/${i.file}`).sort());
    for (const icon of manifest.icons) {
      const { width, height } = header(readFileSync(join(ROOT, 'public', icon.src)));
      expect(`${width}x${height}`).toBe(icon.sizes);
    }
    expect(manifest.icons.some((i) => i.purpose === 'maskable')).toBe(true);
  });
});
