import { useMemo, useState } from 'react';
import { coverDesign } from '../coverArt';

/**
 * The item's own picture when the catalog gives one (a relative path inside the site folder, so
 * it comes from this origin only), else a cover generated from the title's hash. A picture that
 * fails to load falls back to the generated cover.
 */
export function CoverArt({ title, image }: { title: string; image?: string }) {
  const [broken, setBroken] = useState(false);
  if (image && !broken) {
    return <img className="cover cover-image" src={`${import.meta.env.BASE_URL}${image}`} alt="" loading="lazy" decoding="async" onError={() => setBroken(true)} />;
  }
  return <GeneratedCover title={title} />;
}

function GeneratedCover({ title }: { title: string }) {
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
