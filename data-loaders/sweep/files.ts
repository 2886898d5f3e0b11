// A sweep's folder (default results/sweeps/<name>):
//   sweep.json                 the parsed sweep file, with the hash of its text
//   cells/<id>/                one `dreamface generate` run folder per grid cell
//   cells/<id>/experiment.json the cell's experiment (the base with its values set)
//   cells/<id>/cell.json       written last, atomically: the cell's metrics; its presence marks the cell done
//   shards/<i>-of-<n>/         that shard's checkpoints and trajectory (one row per cell)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.js";
import { readJson } from "../evaluation/discover.js";
import { resultsDir } from "../io/paths.js";
import { parseSweep, type Sweep } from "../../src/engine/config/sweep.js";
import { sha256 } from "../io/hash.js";

export interface CellRecord {
  kind: "dreamface-sweep-cell";
  sweep: string;
  cell: string;
  index: number;
  name: string;
  prompt: string;
  variant: string;
  seed: number;
  params: Record<string, unknown>;
  clip_score: number;
  /** The text the renders were scored against. */
  text: string;
  /** Wall time of the whole generate run (geometry + texture + scoring), seconds. */
  seconds: number;
  profile: string;
  label: string | null;
}

export interface SweepFile {
  kind: "dreamface-sweep";
  sha256: string;
  source: string;
  sweep: Sweep;
}

export const sweepsRoot = (results = resultsDir()) => join(results, "sweeps");
export const cellDir = (dir: string, id: string) => join(dir, "cells", id);
export const cellRecordPath = (dir: string, id: string) => join(cellDir(dir, id), "cell.json");

/** Reads and validates a sweep file; any problem is a one-line UserError naming the file. */
export function loadSweepFile(path: string): { sweep: Sweep; sha256: string } {
  if (!existsSync(path)) throw new UserError(`sweep file not found: ${path}`);
  const text = readFileSync(path, "utf8");
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return { sweep: parseSweep(raw), sha256: sha256(text) };
  } catch (error) {
    throw new UserError(`${path}: ${(error as Error).message}`);
  }
}

/** The cell records present in a sweep folder (completed cells), in grid order. */
export function readCellRecords(dir: string): CellRecord[] {
  const cells = join(dir, "cells");
  if (!existsSync(cells)) return [];
  return readdirSync(cells)
    .map((id) => readJson(join(cells, id, "cell.json")) as CellRecord | undefined)
    .filter((r): r is CellRecord => r?.kind === "dreamface-sweep-cell")
    .sort((a, b) => a.index - b.index);
}

export function readSweepFolder(dir: string): SweepFile | undefined {
  const f = readJson(join(dir, "sweep.json")) as SweepFile | undefined;
  return f?.kind === "dreamface-sweep" ? f : undefined;
}

/** Sweep folders under results/sweeps (those holding a sweep.json). */
export function findSweepDirs(results = resultsDir()): string[] {
  const root = sweepsRoot(results);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((n) => join(root, n))
    .filter((d) => readSweepFolder(d) !== undefined);
}
