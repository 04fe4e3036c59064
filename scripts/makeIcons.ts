// Renders the app icons (public/icons/*.png) from shapes: `npm run make:icons`. No image tools needed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

type Rgb = [number, number, number];

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** Encodes RGBA pixels (row-major, 4 bytes each) as a PNG file. */
export function encodePng(size: number, rgba: Uint8Array): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) Buffer.from(rgba.subarray(y * size * 4, (y + 1) * size * 4)).copy(raw, y * (size * 4 + 1) + 1);
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array())]);
}

function roundedRect(x: number, y: number, x0: number, y0: number, x1: number, y1: number, r: number): boolean {
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r && x >= x0 && x <= x1 && y >= y0 && y <= y1;
}

/**
 * The LocalRec mark in unit coordinates: a feed of three cards (the first one highlighted) on the
 * accent colour. `maskable` fills the whole square and keeps the mark inside the safe zone.
 */
function colourAt(x: number, y: number, maskable: boolean): Rgb | null {
  const accent: Rgb = [35, 87, 198];
  const light: Rgb = [246, 245, 242];
  const highlight: Rgb = [255, 159, 10];
  if (!maskable && !roundedRect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2)) return null;
  const s = maskable ? 0.62 : 0.8; // mark scale: maskable icons keep it within the 80 % safe circle
  const u = (x - 0.5) / s + 0.5;
  const v = (y - 0.5) / s + 0.5;
  const rows: [number, number, Rgb][] = [[0.2, 0.82, highlight], [0.2, 0.66, light], [0.2, 0.52, light]];
  for (let i = 0; i < rows.length; i++) {
    const top = 0.2 + i * 0.22;
    const [left, right, colour] = rows[i];
    if (roundedRect(u, v, left, top, right, top + 0.14, 0.05)) return colour;
  }
  return accent;
}

function render(size: number, maskable: boolean): Uint8Array {
  const px = new Uint8Array(size * size * 4);
  const n = 4; // supersampling per axis, for smooth edges
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const c = colourAt((x + (sx + 0.5) / n) / size, (y + (sy + 0.5) / n) / size, maskable);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; a++;
        }
      }
      const o = (y * size + x) * 4;
      if (a > 0) {
        px[o] = Math.round(r / a);
        px[o + 1] = Math.round(g / a);
        px[o + 2] = Math.round(b / a);
      }
      px[o + 3] = Math.round((255 * a) / (n * n));
    }
  }
  return px;
}

/** The icon files the web manifest lists. */
export const ICONS = [
  { file: 'icon-192.png', size: 192, maskable: false },
  { file: 'icon-512.png', size: 512, maskable: false },
  { file: 'icon-maskable-512.png', size: 512, maskable: true },
] as const;

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = join(import.meta.dirname, '../public/icons');
  mkdirSync(dir, { recursive: true });
  for (const icon of ICONS) {
    writeFileSync(join(dir, icon.file), encodePng(icon.size, render(icon.size, icon.maskable)));
    console.log(`public/icons/${icon.file} (${icon.size}x${icon.size}${icon.maskable ? ', maskable' : ''})`);
  }
}
