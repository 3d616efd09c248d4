// SVG line charts of training curves (no dependencies): one panel per metric, one line per series.

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
}

const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Panels side by side, x = epoch (1-based), y scaled to each panel's range, with axes, ticks and a legend. */
export function lineChart(panels: readonly Panel[], { width = 420, height = 280 } = {}): string {
  const pad = { l: 52, r: 12, t: 28, b: 36 };
  const parts: string[] = [];
  panels.forEach((panel, p) => {
    const x0 = p * width;
    const all = panel.series.flatMap((s) => s.values.filter(Number.isFinite));
    const lo = all.length ? Math.min(...all) : 0;
    const hi = all.length ? Math.max(...all) : 1;
    const span = hi - lo || 1;
    const n = Math.max(1, ...panel.series.map((s) => s.values.length));
    const px = (i: number) => x0 + pad.l + (n === 1 ? 0 : (i / (n - 1)) * (width - pad.l - pad.r));
    const py = (v: number) => pad.t + (1 - (v - lo) / span) * (height - pad.t - pad.b);
    parts.push(`<text x="${x0 + width / 2}" y="18" text-anchor="middle" font-size="14">${esc(panel.title)}</text>`);
    parts.push(`<line x1="${x0 + pad.l}" y1="${height - pad.b}" x2="${x0 + width - pad.r}" y2="${height - pad.b}" stroke="#333"/>`);
    parts.push(`<line x1="${x0 + pad.l}" y1="${pad.t}" x2="${x0 + pad.l}" y2="${height - pad.b}" stroke="#333"/>`);
    for (let k = 0; k <= 4; k++) {
      const v = lo + (span * k) / 4;
      parts.push(`<text x="${x0 + pad.l - 6}" y="${py(v) + 4}" text-anchor="end" font-size="10">${v.toFixed(3)}</text>`);
    }
    parts.push(`<text x="${x0 + pad.l}" y="${height - pad.b + 14}" font-size="10">1</text><text x="${x0 + width - pad.r}" y="${height - pad.b + 14}" text-anchor="end" font-size="10">${n}</text>`);
    parts.push(`<text x="${x0 + (width + pad.l) / 2}" y="${height - 6}" text-anchor="middle" font-size="11">epoch</text>`);
    panel.series.forEach((s, k) => {
      const color = COLORS[k % COLORS.length] as string;
      const pts = s.values.map((v, i) => `${px(i).toFixed(1)},${py(v).toFixed(1)}`).join(" ");
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
      parts.push(`<text x="${x0 + width - pad.r - 4}" y="${pad.t + 14 + 14 * k}" text-anchor="end" font-size="11" fill="${color}">${esc(s.name)}</text>`);
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width * panels.length}" height="${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`;
}
