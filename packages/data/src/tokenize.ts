// Tokenisers. Words: lower-cased runs of letters, digits and apostrophes (Unicode-aware), each other visible
// character (punctuation such as "!" carries sentiment) as a token of its own. Code points: one token per
// Unicode code point, never half of a UTF-16 surrogate pair.

const WORD = /[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*|[^\s\p{L}\p{M}\p{N}]/gu;

/** Word tokens of a text. */
export function words(text: string): string[] {
  return (text.toLowerCase().normalize("NFC").match(WORD) ?? []).slice();
}

/** Unicode code points of a text (as one-character or two-unit strings). */
export function codePoints(text: string): string[] {
  return Array.from(text);
}

/** Word bigrams ("a b") of a token list. */
export function bigrams(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < tokens.length; i++) out.push(`${tokens[i]} ${tokens[i + 1]}`);
  return out;
}
