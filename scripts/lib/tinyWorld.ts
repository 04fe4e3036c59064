import { Rng } from '../../src/engine/train/rng';
import type { CatalogEntry } from '../../src/engine/recommender/types';

/** A small synthetic world with a planted rule, for the shipped test model and tests. */
export const TINY_GENRES = ['Sci-Fi', 'Comedy', 'Drama', 'Horror', 'Animation', 'Documentary'] as const;
export const ITEMS_PER_GENRE = 8;
export const TINY_NUM_ITEMS = TINY_GENRES.length * ITEMS_PER_GENRE;

const WORDS: Record<(typeof TINY_GENRES)[number], [string[], string[]]> = {
  'Sci-Fi': [['Distant', 'Silent', 'Iron', 'Quantum'], ['Orbit', 'Nebula', 'Signal', 'Colony']],
  Comedy: [['Lucky', 'Awkward', 'Crazy', 'Happy'], ['Wedding', 'Roommates', 'Holiday', 'Cousins']],
  Drama: [['Quiet', 'Broken', 'Long', 'Last'], ['Summer', 'Letters', 'River', 'Promise']],
  Horror: [['Hollow', 'Crimson', 'Cold', 'Hidden'], ['Cellar', 'Whispers', 'Manor', 'Fog']],
  Animation: [['Little', 'Brave', 'Magic', 'Paper'], ['Dragon', 'Robot', 'Forest', 'Kite']],
  Documentary: [['Deep', 'Wild', 'True', 'Secret'], ['Oceans', 'Cities', 'Bees', 'Mountains']],
};

/** Genre index of item id (1-based ids, ITEMS_PER_GENRE consecutive ids per genre). */
export function genreOf(item: number): number {
  return Math.floor((item - 1) / ITEMS_PER_GENRE);
}

/** The planted rule: the next item is the next one in the same genre (cyclic). */
export function plantedNext(item: number): number {
  const g = genreOf(item);
  return g * ITEMS_PER_GENRE + ((item - 1 - g * ITEMS_PER_GENRE + 1) % ITEMS_PER_GENRE) + 1;
}

/** Users mostly walk one genre in order; genres differ in popularity; 10% noise. */
export function tinySequences(numUsers: number, seed: number): number[][] {
  const rng = new Rng(seed);
  const genreWeights = [0.3, 0.22, 0.16, 0.13, 0.11, 0.08];
  const pickGenre = () => {
    let r = rng.next();
    for (let g = 0; g < genreWeights.length; g++) { r -= genreWeights[g]; if (r <= 0) return g; }
    return genreWeights.length - 1;
  };
  const out: number[][] = [];
  for (let u = 0; u < numUsers; u++) {
    const g = pickGenre();
    const len = rng.int(5, 13);
    let item = g * ITEMS_PER_GENRE + 1 + Math.min(ITEMS_PER_GENRE - 1, Math.floor(rng.next() * rng.next() * ITEMS_PER_GENRE));
    const seq: number[] = [];
    for (let i = 0; i < len; i++) {
      seq.push(rng.next() < 0.1 ? rng.int(1, TINY_NUM_ITEMS + 1) : item);
      item = plantedNext(item);
    }
    out.push(seq);
  }
  return out;
}

export function tinyCatalog(popularity: number[], seed: number): CatalogEntry[] {
  const rng = new Rng(seed);
  const items: CatalogEntry[] = [];
  TINY_GENRES.forEach((genre, g) => {
    const [adj, noun] = WORDS[genre];
    for (let k = 0; k < ITEMS_PER_GENRE; k++) {
      const id = g * ITEMS_PER_GENRE + k + 1;
      const second = rng.next() < 0.25 ? [TINY_GENRES[(g + 1 + rng.int(0, TINY_GENRES.length - 1)) % TINY_GENRES.length]] : [];
      items.push({
        id,
        externalId: `tiny-${id}`,
        title: `${adj[k % 4]} ${noun[Math.floor(k / 2) % 4]}${k >= 4 ? ' II' : ''}`,
        year: 1970 + rng.int(0, 55),
        genres: [genre, ...second.filter((s) => s !== genre)],
        popularity: popularity[id] ?? 0,
      });
    }
  });
  return items;
}
