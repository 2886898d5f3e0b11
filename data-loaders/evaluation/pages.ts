// What the report pages print: the runs table (src/runs.md), one run's manifest, trajectory,
// images and metrics (src/runs/[id].md), and the metrics across runs (src/evaluation.md).
// Everything is read from results/ at build time; with no results the payloads are empty.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { projectRoot, resultsDir } from "../io/paths.js";
import { TrajectoryLog, type TrajectoryRow } from "../run/index.js";
import { findRuns, manifestSummary, type FoundRun } from "./discover.js";
import { RUN_ID } from "./dynamic-paths.js";
import { collectMetrics, type MetricRecord } from "./metrics-files.js";
import { indexRuns, queryIndex } from "./index-runs.js";
import { publishable } from "../io/publish.js";

/** Trajectories are thinned to at most this many rows per stage for the page. */
const MAX_TRAJECTORY_ROWS = 2000;
/** Images larger than this stay out of the page (full-size texture maps go in the .glb instead). */
const MAX_IMAGE_BYTES = 600_000;
const MAX_IMAGES_PER_STAGE = 16;

function runSummary(run: FoundRun, metrics: readonly MetricRecord[]) {
  const s = manifestSummary(run.manifest);
  const clip = metrics.find((x) => x.key === run.key && x.metric === "clip_score");
  return {
    key: run.key,
    id: run.id,
    stage: run.stage,
    prompt: s.prompt,
    profile: s.profile,
    label: s.label,
    complete: s.complete,
    steps: s.steps,
    totalSeconds: s.totalMs === null ? null : s.totalMs / 1000,
    created: s.written,
    clipScore: clip?.value ?? null,
    // What ran on a substitute (capability table, data-loaders/models/preflight.ts); null for runs without one.
    substitutions: (run.manifest.capabilities as { substitutions?: string[] } | undefined)?.substitutions ?? null,
    page: RUN_ID.test(run.id) ? `./runs/${run.id}` : null,
  };
}

export function runsPagePayload(results: string = resultsDir()) {
  const runs = findRuns(results);
  const metrics = collectMetrics(results, runs);
  // Relative when inside the project, so a published page does not show a local path.
  const shown = relative(projectRoot, results);
  return publishable({ resultsDir: shown.startsWith("..") ? results : shown, runs: runs.map((r) => runSummary(r, metrics)) }, { results });
}

export async function readTrajectory(dir: string): Promise<TrajectoryRow[]> {
  const parquet = join(dir, "trajectory.parquet");
  if (existsSync(parquet)) {
    const bytes = readFileSync(parquet);
    const rows = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })) as TrajectoryRow[];
    return rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v])) as TrajectoryRow);
  }
  return new TrajectoryLog(dir, "trajectory").rows();
}

export function thin<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  const stride = rows.length / max;
  return Array.from({ length: max }, (_, i) => rows[Math.floor(i * stride)]!);
}

function pngs(dir: string): string[] {
  try {
    return readdirSync(dir).filter((n) => n.endsWith(".png")).sort();
  } catch {
    return [];
  }
}

/** Small PNGs of a stage as data URLs: finished renders and maps, evaluation views, a few snapshots. */
export function stageImages(dir: string): { file: string; src: string }[] {
  const files = [
    ...pngs(dir),
    ...pngs(join(dir, "renders")).map((n) => `renders/${n}`),
    ...pngs(join(dir, "evaluation", "views")).map((n) => `evaluation/views/${n}`),
  ];
  const snaps = pngs(join(dir, "snapshots"));
  const kinds = [...new Set(snaps.map((n) => n.replace(/^step-\d+-/, "")))];
  // One kind of snapshot (the render if there is one), spread over the run.
  const kind = kinds.includes("render.png") ? "render.png" : kinds[0];
  if (kind) files.push(...thin(snaps.filter((n) => n.endsWith(`-${kind}`)), 8).map((n) => `snapshots/${n}`));
  const out: { file: string; src: string }[] = [];
  for (const file of files) {
    if (out.length >= MAX_IMAGES_PER_STAGE) break;
    const path = join(dir, file);
    if (statSync(path).size > MAX_IMAGE_BYTES) continue;
    out.push({ file, src: `data:image/png;base64,${readFileSync(path).toString("base64")}` });
  }
  return out;
}

export async function runPagePayload(id: string, results: string = resultsDir()) {
  const runs = findRuns(results).filter((r) => r.id === id);
  if (runs.length === 0) throw new Error(`no run "${id}" under ${join(results, "runs")}`);
  const metrics = collectMetrics(results, runs);
  const stages = [];
  for (const run of runs) {
    const rows = await readTrajectory(run.dir);
    stages.push({
      ...runSummary(run, metrics),
      manifest: run.manifest,
      trajectoryRows: rows.length,
      trajectory: thin(rows, MAX_TRAJECTORY_ROWS),
      metrics: metrics.filter((m) => m.key === run.key).map((m) => ({ ...m, detail: JSON.parse(m.detail) as unknown })),
      images: stageImages(run.dir),
    });
  }
  // Manifests on disk keep absolute paths (stages read them back); the page names runs by id.
  return publishable({ id, label: stages.find((s) => s.label)?.label ?? null, stages }, { results });
}

/** Metrics across runs from the DuckDB index (refreshed here); empty without results. */
export async function evaluationPayload(results: string = resultsDir()): Promise<{ source: string; metrics: Record<string, unknown>[] }> {
  if (!existsSync(join(results, "runs")) && !existsSync(join(results, "evaluation"))) return { source: "no results", metrics: [] };
  const { path } = await indexRuns(results);
  const metrics = await queryIndex(
    path,
    `SELECT m.key, m.id, m.stage, m.metric, m.value, m.std, m.n, m.source, m.profile, m.label, CAST(m.detail AS VARCHAR) AS detail, r.prompt
     FROM metrics m LEFT JOIN runs r USING (key) ORDER BY m.metric, m.key`,
  );
  return publishable({ source: path, metrics: metrics.map((m): Record<string, unknown> => ({ ...m, detail: JSON.parse(String(m.detail)) as unknown })) }, { results });
}
