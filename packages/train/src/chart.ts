// SVG line charts (no dependencies): panels side by side, one polyline per series, linear or log axes, ticks,
// axis labels, a legend, and optional horizontal reference lines (a baseline).

export interface XYSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly dashed?: boolean;
  /** A colour of its own (default: COLORS by position), so that one model keeps its colour across panels. */
  readonly color?: string;
}

export interface ReferenceLine {
  readonly y: number;
  readonly label: string;
}

export interface XYPanel {
  readonly title: string;
  readonly series: readonly XYSeries[];
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly reference?: readonly ReferenceLine[];
}

export interface Series {
  readonly name: string;
  readonly values: readonly number[];
}

export interface Panel {
  readonly title: string;
  readonly series: readonly Series[];
}

/** Colours that stay apart for up to eight series (and in grey print: alternate light and dark). */
export const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"];

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A readable tick label: 0.001, 1e-12, 200, 0.167. */
function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const e = Math.floor(Math.log10(a) + 1e-9);
    const m = v / 10 ** e;
    return Math.abs(m - 1) < 1e-9 ? `1e${e}` : `${m.toFixed(1)}e${e}`;
  }
  return String(Number(v.toPrecision(3)));
}

interface Axis {
  readonly lo: number;
  readonly hi: number;
  readonly log: boolean;
  readonly ticks: number[];
}

/** An axis over the finite (and, on a log axis, positive) values, with about five ticks. */
function axis(values: readonly number[], log: boolean): Axis {
  const ok = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  if (ok.length === 0) return { lo: log ? 1 : 0, hi: log ? 10 : 1, log, ticks: log ? [1, 10] : [0, 1] };
  let lo = Math.min(...ok);
  let hi = Math.max(...ok);
  if (log) {
    // decades at a round stride (1, 2, 5, 10, 20, 50, ... decades), at most about eight ticks
    const a0 = Math.floor(Math.log10(lo) + 1e-9);
    const b0 = Math.max(a0 + 1, Math.ceil(Math.log10(hi) - 1e-9));
    const stride = [1, 2, 5, 10, 20, 50, 100, 200].find((d) => (b0 - a0) / d <= 8) ?? 500;
    const a = Math.floor(a0 / stride) * stride;
    const b = Math.ceil(b0 / stride) * stride;
    const ticks: number[] = [];
    for (let e = a; e <= b; e += stride) {
      ticks.push(10 ** e);
      if (b - a <= 2 && e < b) ticks.push(2 * 10 ** e, 5 * 10 ** e); // a short range gets 2 and 5 as well
    }
    return { lo: 10 ** a, hi: 10 ** b, log, ticks };
  }
  if (lo === hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  if (lo > 0 && lo < (hi - lo) / 4) lo = 0; // steps, lengths: an axis from 0 reads better than one from 10
  // ticks at a round step (1, 2, 2.5 or 5 times a power of ten), about four intervals over the range
  const raw = (hi - lo) / 4;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo, hi, log, ticks };
}

const frac = (a: Axis, v: number): number => (a.log ? (Math.log10(v) - Math.log10(a.lo)) / (Math.log10(a.hi) - Math.log10(a.lo)) : (v - a.lo) / (a.hi - a.lo));

/**
 * Panels side by side. Points that a log axis cannot show (zero, negative) or that are not finite break their
 * line rather than bending it; each series becomes one <polyline> per unbroken stretch, with class="series" and
 * data-series set to its name. `legend` > 0 reserves that many pixels at the right of each panel for a legend
 * (otherwise names are written inside the plot's top right corner).
 */
export function xyChart(panels: readonly XYPanel[], { width = 460, height = 320, legend = 0 } = {}): string {
  const pad = { l: 64, r: 14 + legend, t: 30, b: 44 };
  const parts: string[] = [];
  panels.forEach((panel, p) => {
    const x0 = p * width;
    const xa = axis(panel.series.flatMap((s) => s.x), panel.logX ?? false);
    const ya = axis([...panel.series.flatMap((s) => s.y), ...(panel.reference ?? []).map((r) => r.y)], panel.logY ?? false);
    const px = (v: number) => x0 + pad.l + frac(xa, v) * (width - pad.l - pad.r);
    const py = (v: number) => pad.t + (1 - frac(ya, v)) * (height - pad.t - pad.b);
    const shown = (a: Axis, v: number) => Number.isFinite(v) && (!a.log || v > 0);
    parts.push(`<text x="${x0 + width / 2}" y="18" text-anchor="middle" font-size="14">${esc(panel.title)}</text>`);
    parts.push(`<line x1="${x0 + pad.l}" y1="${height - pad.b}" x2="${x0 + width - pad.r}" y2="${height - pad.b}" stroke="#333"/>`);
    parts.push(`<line x1="${x0 + pad.l}" y1="${pad.t}" x2="${x0 + pad.l}" y2="${height - pad.b}" stroke="#333"/>`);
    for (const v of ya.ticks) {
      parts.push(`<line x1="${x0 + pad.l}" y1="${py(v).toFixed(1)}" x2="${x0 + width - pad.r}" y2="${py(v).toFixed(1)}" stroke="#eee"/>`);
      parts.push(`<text x="${x0 + pad.l - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end" font-size="10">${fmt(v)}</text>`);
    }
    for (const v of xa.ticks) parts.push(`<text x="${px(v).toFixed(1)}" y="${height - pad.b + 14}" text-anchor="middle" font-size="10">${fmt(v)}</text>`);
    if (panel.xLabel) parts.push(`<text x="${x0 + (width + pad.l) / 2}" y="${height - 8}" text-anchor="middle" font-size="11">${esc(panel.xLabel)}</text>`);
    if (panel.yLabel) parts.push(`<text transform="translate(${x0 + 13} ${(pad.t + height - pad.b) / 2}) rotate(-90)" text-anchor="middle" font-size="11">${esc(panel.yLabel)}</text>`);
    for (const r of panel.reference ?? []) {
      if (!shown(ya, r.y)) continue;
      parts.push(`<line class="reference" x1="${x0 + pad.l}" y1="${py(r.y).toFixed(1)}" x2="${x0 + width - pad.r}" y2="${py(r.y).toFixed(1)}" stroke="#555" stroke-dasharray="2 3"/>`);
      parts.push(`<text x="${x0 + pad.l + 4}" y="${(py(r.y) - 3).toFixed(1)}" font-size="10" fill="#555">${esc(r.label)}</text>`);
    }
    panel.series.forEach((s, k) => {
      const color = s.color ?? (COLORS[k % COLORS.length] as string);
      const runs: string[][] = [[]];
      s.y.forEach((v, i) => {
        const xv = s.x[i] as number;
        if (shown(ya, v) && shown(xa, xv)) (runs[runs.length - 1] as string[]).push(`${px(xv).toFixed(1)},${py(v).toFixed(1)}`);
        else if ((runs[runs.length - 1] as string[]).length) runs.push([]);
      });
      for (const pts of runs.filter((r) => r.length)) {
        parts.push(`<polyline class="series" data-series="${esc(s.name)}" fill="none" stroke="${color}" stroke-width="2"${s.dashed ? ` stroke-dasharray="6 4"` : ""} points="${pts.join(" ")}"/>`);
      }
      if (legend > 0) {
        const lx = x0 + width - legend;
        const ly = pad.t + 10 + 16 * k;
        parts.push(`<line x1="${lx}" y1="${ly - 4}" x2="${lx + 18}" y2="${ly - 4}" stroke="${color}" stroke-width="2"${s.dashed ? ` stroke-dasharray="6 4"` : ""}/>`);
        parts.push(`<text x="${lx + 22}" y="${ly}" font-size="11">${esc(s.name)}</text>`);
      } else parts.push(`<text x="${x0 + width - pad.r - 4}" y="${pad.t + 14 + 14 * k}" text-anchor="end" font-size="11" fill="${color}">${esc(s.name)}</text>`);
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width * panels.length}" height="${height}" viewBox="0 0 ${width * panels.length} ${height}" font-family="sans-serif"><rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>\n`;
}

/** Per-epoch curves: x = epoch (1-based) on a linear axis. */
export function lineChart(panels: readonly Panel[], size: { width?: number; height?: number; legend?: number } = {}): string {
  return xyChart(
    panels.map((p) => ({ title: p.title, xLabel: "epoch", series: p.series.map((s) => ({ name: s.name, x: s.values.map((_, i) => i + 1), y: s.values })) })),
    size,
  );
}
