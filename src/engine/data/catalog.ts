/** One catalog entry. `id` is the model's dense item id (1..numItems). */
export interface CatalogItem {
  id: number;
  /** Id in the source data (e.g. MovieLens MovieID). */
  externalId: string;
  title: string;
  year: number | null;
  genres: string[];
  /** Picture of the item: a relative path inside the site folder (see catalogLinks.ts). */
  image?: string;
  /** Page about the item, opened only when the person clicks it (http/https). */
  url?: string;
}

/** Splits "Title (1995)" into title and year. */
export function splitTitleYear(raw: string): { title: string; year: number | null } {
  const m = /^(.*?)\s*\((\d{4})\)\s*$/.exec(raw.trim());
  if (!m) return { title: raw.trim(), year: null };
  return { title: m[1], year: Number(m[2]) };
}
