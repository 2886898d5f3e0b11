/**
 * Scores recovered expression weights against the truth a synthetic frame was made with:
 * the error on each driven weight (truth > 0) and the largest spurious weight (truth 0),
 * gaze shapes excluded (unobservable without iris landmarks).
 */
export interface FrameScore {
  /** |recovered − truth| of each driven weight, by name. */
  driven: Record<string, number>;
  /** The largest recovered weight whose truth is 0 (and its name). */
  spurious: { name: string; value: number };
  /** Mean |recovered − truth| over every non-gaze weight. */
  meanAbs: number;
}

export function scoreFrame(names: readonly string[], truth: ArrayLike<number>, recovered: ArrayLike<number>): FrameScore {
  const driven: Record<string, number> = {};
  let spurious = { name: "", value: 0 };
  let sum = 0, count = 0;
  names.forEach((name, j) => {
    if (name.startsWith("eyeLook")) return;
    const t = truth[j]!, r = recovered[j]!;
    sum += Math.abs(r - t);
    count++;
    if (t > 0) driven[name] = Math.abs(r - t);
    else if (r > spurious.value) spurious = { name, value: r };
  });
  return { driven, spurious, meanAbs: sum / Math.max(count, 1) };
}

/** Median of a list (0 for none). */
export function median(values: readonly number[]): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
