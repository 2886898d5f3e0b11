// Flattened configs and their differences: the run-comparison view lists only the settings
// that differ between the runs picked, so a sweep's λ shows up and the 100 shared keys don't.

/** {a: {b: 1}} → {"a.b": 1}; arrays and schedules stay whole (compared as JSON). */
export function flatten(value: unknown, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out[prefix] = value;
  return out;
}

/** The keys whose values differ between configs (a key missing in one counts as different), sorted. */
export function configDiff(configs: readonly Record<string, unknown>[]): string[] {
  const keys = [...new Set(configs.flatMap((c) => Object.keys(c)))].sort();
  return keys.filter((k) => new Set(configs.map((c) => JSON.stringify(c[k]))).size > 1);
}
