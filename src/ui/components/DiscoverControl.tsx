import { useId } from 'react';
import { DEFAULT_DISCOVER } from 'localrec';
import { discoverLabel } from '../discoverLabel';

interface Props {
  /** 0 = familiar ... 1 = discover; null while the stored setting is being read. */
  value: number | null;
  onChange(value: number): void;
}

/**
 * The familiar ↔ discover slider. Moving it re-ranks the feed at once (relevance only at the
 * familiar end; more genre variety, less-known titles and a little exploration towards discover)
 * and the setting is stored on this device.
 */
export function DiscoverControl({ value, onChange }: Props) {
  const id = useId();
  const shown = value ?? DEFAULT_DISCOVER;
  const words = discoverLabel(shown);
  return (
    <div className="discover">
      <label htmlFor={id}>Familiar ↔ Discover</label>
      <input
        id={id}
        type="range"
        min={0}
        max={1}
        step={0.25}
        value={shown}
        disabled={value === null}
        aria-valuetext={words}
        aria-describedby={`${id}-words`}
        onChange={(e) => onChange(Number(e.target.value))}
      />
      <output id={`${id}-words`} htmlFor={id} data-testid="discover-words">
        {words}
      </output>
    </div>
  );
}
