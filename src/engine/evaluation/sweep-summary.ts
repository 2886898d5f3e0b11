// A sweep's rows as the paper reports them (Fig. 18): per variant (and grid values), the CLIP
// score averaged over the prompt set, then mean ± 95% CI over seeds, plus time per asset.
import { meanCI95, type MeanCI } from "./stats.js";

export interface CellMetrics {
  name: string;
  variant: string;
  seed: number;
  params: Record<string, unknown>;
  clip_score: number;
  seconds: number;
}

export interface SweepRow {
  variant: string;
  params: Record<string, unknown>;
  /** Prompts present for every seed counted (a seed missing a prompt is left out, not averaged short). */
  prompts: number;
  /** Over seeds, of the prompt-set mean CLIP score. */
  clip: MeanCI;
  /** Over every cell of the row: seconds per asset. */
  seconds: MeanCI;
  cells: number;
}

const stable = (v: unknown): string => JSON.stringify(v, (_k, x) => (x && typeof x === "object" && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort()) : x));

export function summarizeCells(cells: readonly CellMetrics[]): SweepRow[] {
  const groups = new Map<string, CellMetrics[]>();
  for (const c of cells) {
    const key = `${c.variant}\u0000${stable(c.params)}`;
    groups.set(key, [...(groups.get(key) ?? []), c]);
  }
  const rows: SweepRow[] = [];
  for (const group of groups.values()) {
    const names = [...new Set(group.map((c) => c.name))];
    const bySeed = new Map<number, CellMetrics[]>();
    for (const c of group) bySeed.set(c.seed, [...(bySeed.get(c.seed) ?? []), c]);
    // Only seeds that covered the whole prompt set: the paper's score is a mean over all 10.
    const seedMeans = [...bySeed.values()].filter((cs) => new Set(cs.map((c) => c.name)).size === names.length).map((cs) => cs.reduce((s, c) => s + c.clip_score, 0) / cs.length);
    rows.push({ variant: group[0]!.variant, params: group[0]!.params, prompts: names.length, clip: meanCI95(seedMeans), seconds: meanCI95(group.map((c) => c.seconds)), cells: group.length });
  }
  return rows;
}
