// Where a run's stage writes: results/runs/<runId>/<stage>/ unless the user names a folder.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { resultsDir } from "../io/paths.js";
import { lockRunDir } from "./lock.js";

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

/**
 * A folder holds one run: resuming with different settings would mix two runs' files. The
 * first start records `identity` (the settings that define the run) in run-config.json; a
 * later start in the same folder must present the same identity. Claiming also takes the
 * folder's lock (./lock.ts); the returned function releases it (exit releases it too).
 */
export function claimRunDir(dir: string, identity: string, stage: string, settings: string): () => void {
  const release = lockRunDir(dir);
  const path = join(dir, "run-config.json");
  if (!existsSync(path)) writeFileAtomic(path, identity + "\n");
  else if (readFileSync(path, "utf8").trim() !== identity) {
    release();
    throw new UserError(`${dir} holds a ${stage} run with different settings (${settings}): use another --out, or delete that folder`);
  }
  return release;
}
