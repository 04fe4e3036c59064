/** A point of the discovery trade-off: one setting of the familiar <-> discover control. */
export interface TradeoffPoint {
  setting: number;
  ndcg: number;
  novelty: number;
  ild: number;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function ticks(lo: number, hi: number, n = 5): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/**
 * Two panels (NDCG@10 against novelty, NDCG@10 against intra-list diversity), one labelled point
 * per setting joined in setting order; the default setting is drawn as a ring. Plain SVG text.
 */
export function tradeoffSvg(points: readonly TradeoffPoint[], defaultSetting: number, title: string): string {
  const W = 960;
  const H = 420;
  const panelW = 380;
  const panelH = 280;
  const top = 60;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  const panels: { key: 'novelty' | 'ild'; label: string; x0: number }[] = [
    { key: 'novelty', label: 'novelty (mean self-information, bits)', x0: 70 },
    { key: 'ild', label: 'intra-list diversity (genre Jaccard distance)', x0: 70 + panelW + 90 },
  ];
  const ys = points.map((p) => p.ndcg);
  const pad = (lo: number, hi: number) => { const d = (hi - lo) || Math.abs(hi) || 1; return [lo - 0.08 * d, hi + 0.08 * d]; };
  const [yLo, yHi] = pad(Math.min(...ys), Math.max(...ys));
  for (const p of panels) {
    const xs = points.map((q) => q[p.key]);
    const [xLo, xHi] = pad(Math.min(...xs), Math.max(...xs));
    const sx = (v: number) => p.x0 + ((v - xLo) / (xHi - xLo)) * panelW;
    const sy = (v: number) => top + panelH - ((v - yLo) / (yHi - yLo)) * panelH;
    out.push(`<rect x="${p.x0}" y="${top}" width="${panelW}" height="${panelH}" fill="none" stroke="#444"/>`);
    for (const t of ticks(xLo, xHi)) {
      out.push(`<line x1="${sx(t).toFixed(1)}" y1="${top + panelH}" x2="${sx(t).toFixed(1)}" y2="${top + panelH + 5}" stroke="#444"/>`);
      out.push(`<text x="${sx(t).toFixed(1)}" y="${top + panelH + 18}" text-anchor="middle">${t.toFixed(3)}</text>`);
    }
    for (const t of ticks(yLo, yHi)) {
      out.push(`<line x1="${p.x0 - 5}" y1="${sy(t).toFixed(1)}" x2="${p.x0}" y2="${sy(t).toFixed(1)}" stroke="#444"/>`);
      out.push(`<text x="${p.x0 - 8}" y="${(sy(t) + 4).toFixed(1)}" text-anchor="end">${t.toFixed(4)}</text>`);
    }
    out.push(`<text x="${p.x0 + panelW / 2}" y="${top + panelH + 38}" text-anchor="middle">${esc(p.label)}</text>`);
    out.push(`<text transform="translate(${p.x0 - 52} ${top + panelH / 2}) rotate(-90)" text-anchor="middle">NDCG@10</text>`);
    const path = points.map((q, i) => `${i ? 'L' : 'M'}${sx(q[p.key]).toFixed(1)},${sy(q.ndcg).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
    for (const q of points) {
      const cx = sx(q[p.key]).toFixed(1);
      const cy = sy(q.ndcg).toFixed(1);
      out.push(`<circle cx="${cx}" cy="${cy}" r="4" fill="#1f77b4"/>`);
      if (q.setting === defaultSetting) out.push(`<circle cx="${cx}" cy="${cy}" r="9" fill="none" stroke="#d62728" stroke-width="2"/>`);
      out.push(`<text x="${(Number(cx) + 8).toFixed(1)}" y="${(Number(cy) - 8).toFixed(1)}">${q.setting}</text>`);
    }
  }
  out.push(`<text x="${W / 2}" y="${H - 10}" text-anchor="middle" fill="#555">labels: discover setting (0 = familiar, 1 = discover); red ring: default setting ${defaultSetting}</text>`);
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
