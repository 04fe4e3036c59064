import { useMemo } from 'react';
import { coverDesign } from '../coverArt';

/** Generated cover (SVG from the title's hash): no external images are ever loaded. */
export function CoverArt({ title }: { title: string }) {
  const d = useMemo(() => coverDesign(title), [title]);
  const gradientId = `cover-${d.hueA}-${d.hueB}-${d.angle}`;
  return (
    <svg className="cover" viewBox="0 0 100 150" preserveAspectRatio="xMidYMid slice" aria-hidden="true" focusable="false">
      <defs>
        <linearGradient id={gradientId} gradientTransform={`rotate(${d.angle} 0.5 0.5)`}>
          <stop offset="0" stopColor={`hsl(${d.hueA} 65% 45%)`} />
          <stop offset="1" stopColor={`hsl(${d.hueB} 70% 25%)`} />
        </linearGradient>
      </defs>
      <rect width="100" height="150" fill={`url(#${gradientId})`} />
      {d.shapes.map((s, i) => (
        <circle key={i} cx={s.x} cy={s.y} r={s.r} fill="#fff" opacity={s.opacity} />
      ))}
      <text x="50" y="88" textAnchor="middle" className="cover-initials">
        {d.initials}
      </text>
    </svg>
  );
}
