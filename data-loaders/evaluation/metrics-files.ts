// The metric records the index collects, from three kinds of files:
// - <run>/metrics.json, written by evaluateRun (CLIP score of the run's renders);
// - runs/<id>/<folder>/comparison.json, written by TEXTURE's `dreamface ablate` (CLIP per variant);
// - <results>/evaluation/kid/*.json, written by `dreamface eval kid`.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { readJson, runsRoot, type FoundRun } from "./discover.js";

export interface MetricRecord {
  /** Run key (path under runs/) or, for KID, "kid/<file>". */
  key: string;
  id: string;
  stage: string;
  metric: string;
  value: number;
  std: number | null;
  n: number | null;
  source: "evaluate" | "ablation" | "kid";
  profile: string | null;
  label: string | null;
  detail: string;
}

export const METRICS_FILE = "metrics.json";

export interface RunMetricsFile {
  kind: "dreamface-metrics";
  profile: string;
  label?: string;
  metrics: Record<string, { value: number; std?: number; values?: number[]; [k: string]: unknown }>;
  [k: string]: unknown;
}

export function kidDir(resultsDir: string): string {
  return join(resultsDir, "evaluation", "kid");
}

export function collectMetrics(resultsDir: string, runs: readonly FoundRun[]): MetricRecord[] {
  const out: MetricRecord[] = [];
  for (const run of runs) {
    const file = readJson(join(run.dir, METRICS_FILE)) as RunMetricsFile | undefined;
    if (file?.kind !== "dreamface-metrics") continue;
    for (const [metric, m] of Object.entries(file.metrics ?? {})) {
      if (typeof m?.value !== "number") continue;
      out.push({ key: run.key, id: run.id, stage: run.stage, metric, value: m.value, std: m.std ?? null, n: m.values?.length ?? null, source: "evaluate", profile: file.profile ?? null, label: file.label ?? null, detail: JSON.stringify(m) });
    }
  }
  const root = runsRoot(resultsDir);
  for (const id of listDirs(root)) {
    for (const folder of listDirs(join(root, id))) {
      const c = readJson(join(root, id, folder, "comparison.json")) as
        | { profile?: string; label?: string; prompt?: string; rows?: { variant: string; clipScore: number; clipScores?: number[]; optimizeSeconds?: number }[] }
        | undefined;
      for (const row of c?.rows ?? []) {
        if (typeof row.clipScore !== "number") continue;
        const key = `${id}/${folder}/${row.variant}`;
        const common = { key, id, stage: "texture", source: "ablation" as const, profile: c!.profile ?? null, label: c!.label ?? null };
        out.push({ ...common, metric: "clip_score", value: row.clipScore, std: null, n: row.clipScores?.length ?? null, detail: JSON.stringify({ variant: row.variant, prompt: c!.prompt, values: row.clipScores }) });
        if (typeof row.optimizeSeconds === "number")
          out.push({ ...common, metric: "optimize_seconds", value: row.optimizeSeconds, std: null, n: null, detail: JSON.stringify({ variant: row.variant }) });
      }
    }
  }
  const kdir = kidDir(resultsDir);
  if (existsSync(kdir)) {
    for (const name of readdirSync(kdir).filter((n) => n.endsWith(".json")).sort()) {
      const k = readJson(join(kdir, name)) as { kind?: string; mean?: number; std?: number; subsets?: number; profile?: string; label?: string } | undefined;
      if (k?.kind !== "dreamface-kid" || typeof k.mean !== "number") continue;
      out.push({ key: `kid/${name}`, id: name.replace(/\.json$/, ""), stage: "evaluation", metric: "kid", value: k.mean, std: k.std ?? null, n: k.subsets ?? null, source: "kid", profile: k.profile ?? null, label: k.label ?? null, detail: JSON.stringify(k) });
    }
  }
  return out;
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory() && !d.name.startsWith("."))
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}
