import type { TastePeriod } from '../tasteProfile';

interface Props {
  genres: readonly string[];
  periods: readonly TastePeriod[];
  colour: Readonly<Record<string, string>>;
}

const BAR = 20;
const GAP = 8;
const HEIGHT = 100;
/** Bars keep one width: a short history fills the left of the chart instead of one wide bar. */
const MIN_SLOTS = 8;

/** Stacked bars of genre shares, one per period (plain SVG; the table next to it is the accessible form). */
export function TasteChart({ genres, periods, colour }: Props) {
  const width = Math.max(periods.length, MIN_SLOTS) * (BAR + GAP) - GAP;
  const top = periods[periods.length - 1];
  const leading = genres.reduce((best, g) => (top.shares[g] > top.shares[best] ? g : best), genres[0]);
  return (
    <svg
      className="taste-chart"
      viewBox={`0 0 ${width} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={`Genre shares over ${periods.length} period${periods.length === 1 ? '' : 's'}; most recently ${leading} leads with ${Math.round(top.shares[leading] * 100)}%.`}
    >
      {periods.map((p, i) => {
        let y = HEIGHT;
        return (
          <g key={p.label} transform={`translate(${i * (BAR + GAP)} 0)`}>
            {genres.map((g) => {
              const h = p.shares[g] * HEIGHT;
              y -= h;
              return h > 0 ? (
                <rect key={g} x={0} y={y} width={BAR} height={h} fill={colour[g]}>
                  <title>{`${p.label}: ${g} ${Math.round(p.shares[g] * 100)}%`}</title>
                </rect>
              ) : null;
            })}
          </g>
        );
      })}
    </svg>
  );
}
