/** A catalog entry as the join reads it: an id, a title and a year (null when unknown). */
export interface JoinEntry {
  id: string;
  title: string;
  year: number | null;
}

/** How each source item found its target (or did not). */
export interface CatalogJoin {
  /** Source id -> target id, for the items that joined. */
  map: Map<string, string>;
  /** How many source items joined by exact normalised title and year, and by a year off by one. */
  exact: number;
  yearOffByOne: number;
  /** Source ids that found no target, or more than one. */
  unmatched: string[];
  ambiguous: string[];
}

const ARTICLES = ['the', 'a', 'an', 'les', 'le', 'la', 'l', 'il', 'el', 'der', 'die', 'das', 'los', 'las', 'lo'];

/**
 * The comparable form of a title: accents folded (`é` -> `e`), lower case, a trailing article
 * moved back to the front ("Shawshank Redemption, The" -> "the shawshank redemption"), a
 * parenthesised alternative title or "a.k.a." dropped ("Seven (Se7en)" -> "seven"), "&" read as
 * "and", punctuation removed and spaces collapsed. Both catalogs go through the same function.
 */
export function normalizeTitle(raw: string): string {
  let t = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().trim();
  // Parenthesised parts (alternative or original-language titles, "a.k.a. ...") go.
  t = t.replace(/\s*\([^)]*\)/g, '').replace(/\s*\[[^\]]*\]/g, '').trim();
  // "Title, The: Subtitle" and "Title, The" -> "The Title: Subtitle" / "The Title".
  const m = /^(.*?),\s*([a-z']+)(\s*:.*)?$/.exec(t);
  if (m && ARTICLES.includes(m[2].replace(/'$/, ''))) t = `${m[2].replace(/'$/, '')} ${m[1]}${m[3] ?? ''}`;
  return t
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
}

/** The same title with a leading article dropped ("the matrix" -> "matrix"), for a second try. */
function withoutArticle(norm: string): string {
  const [first, ...rest] = norm.split(' ');
  return rest.length && ARTICLES.includes(first) ? rest.join(' ') : norm;
}

/**
 * Joins two catalogs by normalised title and year (see `normalizeTitle`). A source item joins a
 * target with the same normalised title (with or without its leading article) and the same
 * year; failing that, the one target whose year is off by one (release vs. festival year), if
 * exactly one. A key shared by several targets is ambiguous and left out rather than guessed.
 */
export function joinCatalogs(source: readonly JoinEntry[], target: readonly JoinEntry[]): CatalogJoin {
  const byKey = new Map<string, string[]>();
  const add = (key: string, id: string) => {
    const ids = byKey.get(key);
    if (!ids) byKey.set(key, [id]);
    else if (!ids.includes(id)) ids.push(id);
  };
  for (const t of target) {
    const n = normalizeTitle(t.title);
    add(`${n}|${t.year}`, t.id);
    add(`${withoutArticle(n)}|${t.year}`, t.id);
  }
  const find = (title: string, year: number | null): string[] => {
    const n = normalizeTitle(title);
    const hit = byKey.get(`${n}|${year}`) ?? byKey.get(`${withoutArticle(n)}|${year}`);
    return hit ?? [];
  };
  const out: CatalogJoin = { map: new Map(), exact: 0, yearOffByOne: 0, unmatched: [], ambiguous: [] };
  for (const s of source) {
    const exact = find(s.title, s.year);
    if (exact.length === 1) {
      out.map.set(s.id, exact[0]);
      out.exact++;
      continue;
    }
    if (exact.length > 1) { out.ambiguous.push(s.id); continue; }
    const near = s.year === null ? [] : [...new Set([...find(s.title, s.year - 1), ...find(s.title, s.year + 1)])];
    if (near.length === 1) {
      out.map.set(s.id, near[0]);
      out.yearOffByOne++;
    } else if (near.length > 1) out.ambiguous.push(s.id);
    else out.unmatched.push(s.id);
  }
  // Two source items joined to one target (duplicate entries in the source): keep both, they
  // are the same film; the caller's ratings merge into one item.
  return out;
}
