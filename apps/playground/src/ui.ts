// Small helpers of the page's views.

/** The element with this id (it is in index.html). */
export function $(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el;
}

/** A number with `digits` decimals. */
export const fmt = (v: number, digits: number): string => v.toFixed(digits);

/** The whole number in an input, or a sentence saying what is wrong with it. */
export function intField(id: string, label: string, min: number, max: number): number | string {
  const raw = ($(id) as HTMLInputElement).value.trim();
  const v = Number(raw);
  if (raw === "" || !Number.isInteger(v)) return `${label} must be a whole number, got "${raw}".`;
  if (v < min || v > max) return `${label} must be from ${min} to ${max}, got ${v}.`;
  return v;
}
