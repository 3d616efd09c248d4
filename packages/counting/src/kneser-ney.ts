// Character n-gram language models with interpolated modified Kneser-Ney smoothing (Chen and Goodman, 1998):
// the lecture's p(w | context) = count(context w) / count(context), made usable for unseen contexts.
//
//   p_k(c | h) = max(N_k(h c) - D_k(N_k(h c)), 0) / N_k(h .) + gamma_k(h) p_{k-1}(c | h')
//   gamma_k(h) = (D_k1 n1(h) + D_k2 n2(h) + D_k3+ n3+(h)) / N_k(h .)
//
// h' drops the oldest character of h; N_k is the raw count at the model's highest order and the continuation
// count (how many distinct characters precede h c) at lower orders; n1, n2, n3+ count the characters following h
// once, twice, three or more times; the discounts come from count-of-counts:
// Y = n1 / (n1 + 2 n2), D1 = 1 - 2Y n2/n1, D2 = 2 - 3Y n3/n2, D3+ = 3 - 4Y n4/n3. An unseen context backs off
// entirely; below order 1 sits the uniform distribution over the vocabulary (the training characters plus one
// for any unseen character).
import { invalidArgument, raise } from "@gated/autograd";

/** The counts and discounts of one order of an n-gram model. */
export interface NgramLevel {
  /** n-gram (context + character) -> (raw or continuation) count. */
  readonly counts: Map<string, number>;
  /** context -> [total, n1, n2, n3+]. */
  readonly contexts: Map<string, [number, number, number, number]>;
  readonly discounts: [number, number, number];
}

export interface NgramModel {
  readonly order: number;
  readonly vocab: readonly string[];
  readonly levels: readonly NgramLevel[];
}

/** Raw counts of every k-gram (as code-point strings) for k = 1..maxOrder. */
export function countNgrams(chars: readonly string[], maxOrder: number): Map<string, number>[] {
  const raw = Array.from({ length: maxOrder + 1 }, () => new Map<string, number>());
  for (let i = 0; i < chars.length; i++) {
    let gram = "";
    for (let k = 1; k <= maxOrder && i - k + 1 >= 0; k++) {
      gram = (chars[i - k + 1] as string) + gram;
      const m = raw[k] as Map<string, number>;
      m.set(gram, (m.get(gram) ?? 0) + 1);
    }
  }
  return raw;
}

function level(counts: Map<string, number>, lastLen: (gram: string) => number): NgramLevel {
  const contexts = new Map<string, [number, number, number, number]>();
  const coc = [0, 0, 0, 0, 0];
  for (const [gram, c] of counts) {
    const ctx = gram.slice(0, gram.length - lastLen(gram));
    let s = contexts.get(ctx);
    if (s === undefined) {
      s = [0, 0, 0, 0];
      contexts.set(ctx, s);
    }
    s[0] += c;
    if (c === 1) s[1]++;
    else if (c === 2) s[2]++;
    else s[3]++;
    if (c <= 4) coc[c] = (coc[c] as number) + 1;
  }
  const [n1, n2, n3, n4] = [coc[1] || 1, coc[2] || 1, coc[3] || 1, coc[4] || 1] as [number, number, number, number];
  const Y = n1 / (n1 + 2 * n2);
  const clamp = (d: number, hi: number) => Math.min(hi, Math.max(0, d));
  return { counts, contexts, discounts: [clamp(1 - 2 * Y * (n2 / n1), 1), clamp(2 - 3 * Y * (n3 / n2), 2), clamp(3 - 4 * Y * (n4 / n3), 3)] };
}

/** The length (in UTF-16 units) of a gram's last code point. */
const lastCodePointLength = (gram: string): number => {
  const c = gram.charCodeAt(gram.length - 1);
  return c >= 0xdc00 && c <= 0xdfff && gram.length > 1 ? 2 : 1;
};

/** Trains an order-n model (1..10) on a sequence of characters (code points). */
export function trainKneserNey(chars: readonly string[], order: number, raw = countNgrams(chars, order)): NgramModel {
  if (!Number.isInteger(order) || order < 1 || order > 10) raise(invalidArgument("trainKneserNey", "order", `must be an integer in [1, 10], got ${order}`));
  if (chars.length === 0) raise(invalidArgument("trainKneserNey", "chars", "is empty: nothing to count"));
  const vocab = [...new Set(chars)].sort();
  const levels: NgramLevel[] = [];
  for (let k = 1; k <= order; k++) {
    let counts: Map<string, number>;
    if (k === order) counts = raw[k] as Map<string, number>;
    else {
      // Continuation counts: distinct characters preceding each k-gram = distinct (k+1)-grams it ends.
      counts = new Map();
      for (const gram of (raw[k + 1] as Map<string, number>).keys()) {
        const first = gram.codePointAt(0) as number;
        const suffix = gram.slice(first > 0xffff ? 2 : 1);
        counts.set(suffix, (counts.get(suffix) ?? 0) + 1);
      }
    }
    levels.push(level(counts, lastCodePointLength));
  }
  return { order, vocab, levels };
}

/** p(c | context): order k uses the last k - 1 code points of the context (fewer at the start of a text). */
export function probability(model: NgramModel, context: readonly string[], c: string): number {
  let p = 1 / (model.vocab.length + 1);
  const orders = Math.min(model.order, context.length + 1);
  for (let k = 1; k <= orders; k++) {
    const ctx = context.slice(context.length - (k - 1)).join("");
    const lv = model.levels[k - 1] as NgramLevel;
    const s = lv.contexts.get(ctx);
    if (s === undefined) continue;
    const n = lv.counts.get(ctx + c) ?? 0;
    const [d1, d2, d3] = lv.discounts;
    const d = n === 0 ? 0 : n === 1 ? d1 : n === 2 ? d2 : d3;
    const gamma = (d1 * s[1] + d2 * s[2] + d3 * s[3]) / s[0];
    p = Math.max(n - d, 0) / s[0] + gamma * p;
  }
  return p;
}

/** Bits per character of a text under the model, scored as one stream (context carried along). */
export function bitsPerCharacter(model: NgramModel, chars: readonly string[]): number {
  if (chars.length === 0) raise(invalidArgument("bitsPerCharacter", "chars", "is empty"));
  let bits = 0;
  for (let i = 0; i < chars.length; i++) {
    const ctx = chars.slice(Math.max(0, i - model.order + 1), i);
    bits -= Math.log2(probability(model, ctx, chars[i] as string));
  }
  return bits / chars.length;
}
