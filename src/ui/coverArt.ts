/** FNV-1a 32-bit hash: stable across runs and machines, so a title always gets the same cover. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export interface CoverDesign {
  hueA: number;
  hueB: number;
  angle: number;
  shapes: { x: number; y: number; r: number; opacity: number }[];
  initials: string;
}

/** Deterministic cover design from a title: two hues, a gradient angle, a few circles and initials. */
export function coverDesign(title: string): CoverDesign {
  let h = hashString(title);
  const next = (mod: number): number => {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    h = (h ^ (h >>> 12)) >>> 0;
    return h % mod;
  };
  const hueA = next(360);
  const hueB = (hueA + 40 + next(140)) % 360;
  const shapes = Array.from({ length: 3 + next(3) }, () => ({ x: next(100), y: next(150), r: 12 + next(40), opacity: (15 + next(30)) / 100 }));
  const words = title.replace(/^(The|A|An)\s+/i, '').split(/[\s:,-]+/).filter((w) => /^[\p{L}\p{N}]/u.test(w));
  const initials = words.slice(0, 2).map((w) => w[0].toUpperCase()).join('') || '?';
  return { hueA, hueB, angle: next(180), shapes, initials };
}

/** "Matrix, The" (catalog order, as in MovieLens) -> "The Matrix" for display. */
export function displayTitle(title: string): string {
  const m = /^(.*), (The|A|An|Les|La|Le|L'|El|Il|Das|Der|Die)$/.exec(title.trim());
  if (!m) return title;
  return m[2].endsWith("'") ? `${m[2]}${m[1]}` : `${m[2]} ${m[1]}`;
}
