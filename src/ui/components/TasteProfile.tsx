import { useDeferredValue, useMemo } from 'react';
import { useEngineCore, useEngineSelector } from 'localrec/react';
import { OTHER_GENRES, tasteSeries } from '../tasteProfile';
import { TasteChart } from './TasteChart';

/** Bars shown: the most recent periods. */
const MAX_PERIODS = 12;
const PALETTE = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#b07aa1', '#76b7b2', '#edc948', '#ff9da7'];

/** Colour of each charted genre (`Other` grey). */
function colours(genres: readonly string[]): Record<string, string> {
  return Object.fromEntries(genres.map((g, i) => [g, g === OTHER_GENRES ? '#9a9aa2' : PALETTE[i % PALETTE.length]]));
}

const percent = (share: number) => `${Math.round(share * 100)}%`;

/** "Your taste over time": genre shares of the person's own history, as stacked bars and as a table. */
export function TasteProfile() {
  const { catalogById } = useEngineCore();
  // Deferred: after an interaction the feed renders first, the chart (a pass over the whole
  // history, 10-20 ms at 50,000 events) follows in a background render.
  const history = useDeferredValue(useEngineSelector((l) => l.state?.history ?? null));
  const series = useMemo(() => tasteSeries(history ?? [], (id) => catalogById.get(id)?.genres), [history, catalogById]);
  const periods = series.periods.slice(-MAX_PERIODS);
  const colour = useMemo(() => colours(series.genres), [series.genres]);

  return (
    <section className="panel taste" aria-labelledby="taste-heading">
      <h2 id="taste-heading">Your taste over time</h2>
      {periods.length === 0 ? (
        <p className="muted">Like or open a few titles and the genres you lean towards will show here.</p>
      ) : (
        <>
          <p className="muted small">
            Genre shares of your likes, views and searches {series.unit === 'week' ? 'per week' : 'per block of 10 interactions'} (dislikes are not
            counted).
          </p>
          <TasteChart genres={series.genres} periods={periods} colour={colour} />
          <p className="muted small taste-range">
            {periods.length === 1 ? periods[0].label : `${periods[0].label} … ${periods[periods.length - 1].label}`}
          </p>
          <ul className="taste-legend" aria-hidden="true">
            {series.genres.map((g) => (
              <li key={g}>
                <span className="swatch" style={{ background: colour[g] }} />
                {g}
              </li>
            ))}
          </ul>
          <details>
            <summary>Show as a table</summary>
            <div className="table-scroll">
              <table className="taste-table">
                <caption className="visually-hidden">Genre share of each period</caption>
                <thead>
                  <tr>
                    <th scope="col">Period</th>
                    {series.genres.map((g) => (
                      <th key={g} scope="col">
                        {g}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {periods.map((p) => (
                    <tr key={p.label}>
                      <th scope="row">{p.label}</th>
                      {series.genres.map((g) => (
                        <td key={g}>{percent(p.shares[g])}</td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </section>
  );
}
