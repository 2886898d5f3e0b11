// Mean and 95% confidence interval over a few seeds: with n = 3…10 the normal 1.96 would
// understate the interval, so the half-width uses Student's t with n − 1 degrees of freedom.

/** Two-sided 97.5% quantiles of Student's t for df = 1…30 (standard tables). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

export function tQuantile975(df: number): number {
  if (!(df >= 1)) return NaN;
  return T975[Math.min(df, T975.length) - 1] ?? 1.96;
}

export interface MeanCI {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); NaN for one value. */
  sd: number;
  /** Half-width of the 95% interval (t with n − 1 df); NaN for one value. */
  ci95: number;
}

export function meanCI95(values: readonly number[]): MeanCI {
  const n = values.length;
  if (n === 0) return { n, mean: NaN, sd: NaN, ci95: NaN };
  const mean = values.reduce((s, v) => s + v, 0) / n;
  if (n === 1) return { n, mean, sd: NaN, ci95: NaN };
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const df = n - 1;
  return { n, mean, sd, ci95: (df > 30 ? 1.96 : tQuantile975(df)) * (sd / Math.sqrt(n)) };
}
