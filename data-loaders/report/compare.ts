// The run-comparison view's payload (src/compare.md): every generate run under results/runs and
// every finished sweep cell, each with its flattened config (for the diff), its geometry and
// texture trajectories (thinned), its final renders and its metrics. The page picks a few and
// shows config differences, overlaid trajectories, images side by side and metrics.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { findRuns, readJson } from "../evaluation/discover.js";
import { readTrajectory, stageImages, thin } from "../evaluation/pages.js";
import { resultsDir } from "../io/paths.js";
import { publishable } from "../io/publish.js";
import { cellDir, findSweepDirs, readCellRecords } from "../sweep/files.js";
import { flatten } from "../../src/engine/util/config-diff.js";

/** Rows per stage trajectory and items in the payload: the page overlays a handful at a time. */
const MAX_ROWS = 300;
const MAX_ITEMS = 60;

interface StageManifest {
  config?: Record<string, unknown>;
  label?: string;
  profile?: string;
}

async function item(dir: string, key: string, kind: "run" | "cell", extra: { prompt?: string | null; clip_score?: number | null; seconds?: number | null; written?: string | null }) {
  const geometry = readJson(join(dir, "geometry", "manifest.json")) as StageManifest | undefined;
  const texture = readJson(join(dir, "texture", "manifest.json")) as StageManifest | undefined;
  const config = flatten({ ...(geometry?.config ?? {}), texture: (texture?.config as { texture?: unknown } | undefined)?.texture });
  delete config.name;
  const trajectory = [];
  for (const stage of ["geometry", "texture"] as const) {
    if (!existsSync(join(dir, stage))) continue;
    for (const r of thin(await readTrajectory(join(dir, stage)), MAX_ROWS)) trajectory.push({ ...r, run_stage: stage });
  }
  const images = existsSync(join(dir, "texture")) ? stageImages(join(dir, "texture")).filter((im) => im.file.startsWith("evaluation/views/") || im.file === "diffuse.png").slice(0, 4) : [];
  return { key, kind, prompt: extra.prompt ?? null, profile: texture?.profile ?? geometry?.profile ?? null, label: texture?.label ?? geometry?.label ?? null, written: extra.written ?? null, config, trajectory, images, metrics: { clip_score: extra.clip_score ?? null, seconds: extra.seconds ?? null } };
}

export async function comparePayload(results = resultsDir()) {
  const items = [];
  const runs = findRuns(results).filter((r) => r.stage === "generate").reverse();
  for (const r of runs) {
    const m = r.manifest as { prompt?: string; metrics?: { clip_score?: number }; timings?: { total?: number }; written?: string };
    items.push(await item(r.dir, `run ${r.key}`, "run", { prompt: m.prompt, clip_score: m.metrics?.clip_score, seconds: m.timings?.total != null ? m.timings.total / 1000 : null, written: m.written }));
    if (items.length >= MAX_ITEMS) break;
  }
  for (const dir of findSweepDirs(results)) {
    for (const c of readCellRecords(dir)) {
      if (items.length >= MAX_ITEMS) break;
      items.push(await item(cellDir(dir, c.cell), `${c.sweep}/${c.cell}`, "cell", { prompt: c.prompt, clip_score: c.clip_score, seconds: c.seconds }));
    }
  }
  return publishable({ items }, { results });
}
