import { memo } from 'react';
import { displayTitle } from '../coverArt';
import type { CatalogEntry } from 'localrec';
import { CoverArt } from './CoverArt';

interface Props {
  item: CatalogEntry;
  /** In a new-item slot: marked "New" so people know why an unknown title is there. */
  isNew?: boolean;
  disabled: boolean;
  onLike(item: CatalogEntry): void;
  onDislike(item: CatalogEntry): void;
  onOpen(item: CatalogEntry): void;
  onWhy(item: CatalogEntry): void;
}

/** One feed card: cover, title, year, genres, the two actions and "Why this?". Opening it counts as a view. */
export const Card = memo(function Card({ item, isNew = false, disabled, onLike, onDislike, onOpen, onWhy }: Props) {
  const headingId = `card-title-${item.id}`;
  const title = displayTitle(item.title);
  return (
    <article className="card" aria-labelledby={headingId} data-item-id={item.id} data-new={isNew || undefined}>
      <button type="button" className="card-open" onClick={() => onOpen(item)} aria-label={`Details: ${title}`}>
        <CoverArt title={title} image={item.image} />
      </button>
      <div className="card-body">
        <h3 id={headingId} className="card-title" dir="auto">
          {title}
          {isNew && <span className="badge-new"> New</span>}
        </h3>
        <p className="card-meta" dir="auto" data-genres={item.genres.join('|')}>
          {[item.year === null ? null : String(item.year), item.genres.join(', ')].filter(Boolean).join(' · ')}
        </p>
        {item.url && (
          <a className="card-link" href={item.url} target="_blank" rel="noopener noreferrer" referrerPolicy="no-referrer">
            Open page<span className="visually-hidden"> of {title} (new tab, leaves LocalRec)</span> ↗
          </a>
        )}
        <div className="card-actions">
          <button type="button" className="like" disabled={disabled} onClick={() => onLike(item)}>
            Like
          </button>
          <button type="button" className="dislike" disabled={disabled} onClick={() => onDislike(item)}>
            Not interested
          </button>
          <button type="button" className="why-button" disabled={disabled} onClick={() => onWhy(item)} aria-haspopup="dialog">
            Why this?
          </button>
        </div>
      </div>
    </article>
  );
});
