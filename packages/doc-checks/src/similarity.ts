// Suggestions ("did you mean …?") for misnamed files, misspelt headings and unknown fields.

export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_value, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The candidate nearest to `value`, if it is near enough to be a plausible slip: at most a
 * quarter of its length (and never fewer than two) edits away.
 */
export function closest(value: string, candidates: readonly string[], normalize: (text: string) => string = (text) => text): string | undefined {
  const target = normalize(value);
  let best: { readonly candidate: string; readonly distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(target, normalize(candidate));
    if (best === undefined || distance < best.distance) best = { candidate, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(target.length / 4)) ? best.candidate : undefined;
}
