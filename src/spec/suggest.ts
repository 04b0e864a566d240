// "Did you mean" helpers shared by field, op and feature-name checks.

/** Levenshtein distance, case-insensitive; inputs are short names. */
function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[y.length] ?? 0;
}

/** The closest candidate within a typo's reach of `word`, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 200) return undefined; // untrusted input: keep the work bounded
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    if (c === "") continue;
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  const reach = Math.max(2, Math.floor((best?.length ?? 0) / 3));
  return bestD <= reach ? best : undefined;
}

/**
 * Go encoding/json matches field names with Unicode simple case folding, so besides ASCII
 * case, U+017F (long s) matches "s" and U+212A (Kelvin sign) matches "k".
 */
export function goFold(s: string): string {
  return s
    .replace(/\u017f/g, "s")
    .replace(/\u212a/g, "k")
    .toLowerCase();
}
