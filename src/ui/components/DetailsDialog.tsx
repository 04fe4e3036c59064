import { displayTitle } from '../coverArt';
import type { CatalogEntry } from 'localrec';
import { CoverArt } from './CoverArt';
import { useModalDialog } from './useModalDialog';

interface Props {
  item: CatalogEntry | null;
  onClose(): void;
  onLike(item: CatalogEntry): void;
}

/** Modal details of one item (native <dialog>: focus trap and Escape come with it). */
export function DetailsDialog({ item, onClose, onLike }: Props) {
  const ref = useModalDialog(item !== null);
  return (
    <dialog ref={ref} className="details" onClose={onClose} aria-labelledby="details-title">
      {item && (
        <div className="details-layout">
          <CoverArt title={displayTitle(item.title)} image={item.image} />
          <div>
            <h2 id="details-title">{displayTitle(item.title)}</h2>
            <dl>
              <dt>Year</dt>
              <dd>{item.year ?? 'unknown'}</dd>
              <dt>Genres</dt>
              <dd>{item.genres.join(', ') || 'none listed'}</dd>
              {item.popularity !== undefined && (
                <>
                  <dt>Popularity</dt>
                  <dd>{item.popularity} people in the training data</dd>
                </>
              )}
            </dl>
            <div className="card-actions">
              <button type="button" className="like" onClick={() => onLike(item)}>
                Like
              </button>
              <button type="button" onClick={onClose}>
                Close
              </button>
            </div>
          </div>
        </div>
      )}
    </dialog>
  );
}
