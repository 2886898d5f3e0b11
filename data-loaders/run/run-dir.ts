// Where a run's stage writes: results/runs/<runId>/<stage>/ unless the user names a folder.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { resultsDir } from "../io/paths.js";

export interface RunDirOptions {
  stage: string;
  /** Explicit output folder (the CLI's --out); wins over runId. */
  outDir?: string;
  /** Defaults to a sortable UTC timestamp, e.g. 20261124-211500. */
  runId?: string;
}

export function newRunId(date = new Date()): string {
  return date.toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
}

export function createRunDir({ stage, outDir, runId }: RunDirOptions): string {
  const dir = outDir ? resolve(outDir) : join(resultsDir(), "runs", runId ?? newRunId(), stage);
  mkdirSync(dir, { recursive: true });
  return dir;
}
