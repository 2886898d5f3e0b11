// `dreamface sweep merge`: the index rebuilt with the sweeps' cells. Shards write only their own
// cells' folders, so merging is indexing the union: no shard waits for another.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { indexRuns, INDEX_FILE } from "../evaluation/index-runs.js";
import { resultsDir } from "../io/paths.js";
import { profileLabel } from "../run/manifest.js";
import { sweepCells } from "../../src/engine/config/sweep.js";
import { findSweepDirs, readCellRecords, readSweepFolder } from "./files.js";

export interface MergeResult {
  path: string;
  runs: number;
  sweeps: { dir: string; name: string; done: number; total: number; label?: string }[];
}

export async function mergeSweeps({ dirs, results = resultsDir(), out }: { dirs?: readonly string[]; results?: string; out?: string } = {}): Promise<MergeResult> {
  const folders = (dirs ?? findSweepDirs(results)).map((d) => resolve(d));
  const sweeps = folders.map((dir) => {
    const f = readSweepFolder(dir);
    if (!f) throw new UserError(`${dir} is not a sweep folder (no sweep.json): run \`dreamface sweep FILE --out ${dir}\` first`);
    return { dir, name: f.sweep.name, done: readCellRecords(dir).length, total: sweepCells(f.sweep).length, label: profileLabel(f.sweep.profile) };
  });
  const path = resolve(out ?? join(results, INDEX_FILE));
  if (!existsSync(results) && !out) throw new UserError(`no results folder at ${results}`);
  const summary = await indexRuns(results, { out: path, sweeps: folders });
  return { path, runs: summary.runs, sweeps };
}
