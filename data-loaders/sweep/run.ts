// `dreamface sweep FILE [--shard i/n]`: the grid's cells as independent generate runs. A
// shard is a Resumable over its cells (one step = one cell) driven by the one stage loop, so
// it checkpoints, logs one trajectory row per cell and resumes like every stage; a cell whose
// cell.json exists is skipped, and a cell killed midway resumes inside its own generate run.
// Shards split the grid like `pool build` (cell index mod n), need no coordination, and may
// run at once on different machines sharing the folder.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { readJson } from "../evaluation/discover.js";
import { writeJsonAtomic } from "../io/atomic.js";
import { runGenerate } from "../generate/run.js";
import { createNodeBackend } from "../models/backend-node.js";
import { preflight } from "../models/preflight.js";
import { runLoop } from "../run/loop.js";
import { profileLabel } from "../run/manifest.js";
import { shardCells, sweepCells, type SweepCell } from "../../src/engine/config/sweep.js";
import { RestoreMismatchError, type Resumable, type ResumableState, type StepRow } from "../../src/engine/run/resumable.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { cellDir, cellRecordPath, loadSweepFile, readSweepFolder, sweepsRoot, type CellRecord, type SweepFile } from "./files.js";

export interface SweepOptions {
  file: string;
  shard?: { index: number; count: number };
  /** Sweep folder; default results/sweeps/<name>. */
  out?: string;
  /** Model profile for every cell instead of the file's. */
  profile?: string;
  /** Candidate pool for every cell's geometry stage (default: the profile's cached pool). */
  pool?: string;
  /** Stop after this many cells in this process (tests simulate a kill). */
  stopAfter?: number;
  backend?: Backend;
  quiet?: boolean;
}

export interface SweepResult {
  dir: string;
  /** Cells of this shard, done before this process and by it. */
  cells: number;
  skipped: number;
  ran: number;
  complete: boolean;
  label?: string;
}

type RunCell = (cell: SweepCell) => Promise<CellRecord>;

/** The shard's cells as one resumable system: step k runs the shard's k-th cell. */
export class SweepShard implements Resumable {
  step = 0;
  constructor(
    private readonly cells: readonly SweepCell[],
    private readonly dir: string,
    private readonly runCell: RunCell,
  ) {}
  get total(): number {
    return this.cells.length;
  }
  async next(): Promise<StepRow> {
    const cell = this.cells[this.step]!;
    const done = readJson(cellRecordPath(this.dir, cell.id)) as CellRecord | undefined;
    const record = done?.kind === "dreamface-sweep-cell" ? done : await this.runCell(cell);
    const row: StepRow = { step: this.step, cell: cell.id, clip_score: record.clip_score, seconds: record.seconds, reused: done ? 1 : 0 };
    this.step++;
    return row;
  }
  state(): ResumableState {
    return { step: this.step, cells: this.cells.map((c) => c.id).join(",") };
  }
  restore(state: ResumableState): void {
    if (state.cells !== this.cells.map((c) => c.id).join(",")) throw new RestoreMismatchError("the shard's cells differ (another grid or --shard)");
    if (typeof state.step !== "number" || state.step < 0 || state.step > this.cells.length) throw new RestoreMismatchError(`step ${String(state.step)} is out of range`);
    this.step = state.step;
  }
}

/** Records the sweep in its folder, or checks that the folder holds this same sweep. */
function claimSweepDir(dir: string, file: SweepFile): void {
  const have = readSweepFolder(dir);
  if (!have) return writeJsonAtomic(join(dir, "sweep.json"), file);
  if (JSON.stringify(have.sweep) !== JSON.stringify(file.sweep))
    throw new UserError(`${dir} holds the sweep "${have.sweep.name}" from ${have.source} with other settings: use another --out, or delete that folder`);
}

export async function runSweep(opts: SweepOptions): Promise<SweepResult> {
  const loaded = loadSweepFile(opts.file);
  const sweep = opts.profile ? { ...loaded.sweep, profile: opts.profile } : loaded.sweep;
  const { sha256 } = loaded;
  const shard = opts.shard ?? { index: 0, count: 1 };
  const dir = resolve(opts.out ?? join(sweepsRoot(), sweep.name));
  const cells = shardCells(sweepCells(sweep), shard);
  claimSweepDir(dir, { kind: "dreamface-sweep", sha256, source: opts.file, sweep });
  const before = cells.filter((c) => existsSync(cellRecordPath(dir, c.id))).length;
  const label = profileLabel(sweep.profile);
  let backend = opts.backend;
  let capabilities: Awaited<ReturnType<typeof preflight>> | undefined;
  const runCell: RunCell = async (cell) => {
    // Models load once per process, at the first cell that needs them.
    capabilities ??= await preflight({ profile: sweep.profile, stages: ["geometry", "texture"] });
    backend ??= await createNodeBackend({ profile: sweep.profile });
    const out = cellDir(dir, cell.id);
    const experiment = join(out, "experiment.json");
    if (!existsSync(experiment)) writeJsonAtomic(experiment, cell.experiment);
    const t0 = performance.now();
    const r = await runGenerate({ prompt: cell.prompt, experiment, pool: opts.pool, out, template: sweep.scoreTemplate, backend, capabilities, quiet: true });
    const total = (readJson(join(out, "manifest.json")) as { timings?: { total?: number } } | undefined)?.timings?.total;
    const record: CellRecord = {
      kind: "dreamface-sweep-cell",
      sweep: sweep.name,
      cell: cell.id,
      index: cell.index,
      name: cell.name,
      prompt: cell.prompt,
      variant: cell.variant,
      seed: cell.seed,
      params: cell.params,
      clip_score: r.clipScore,
      text: r.scoredText,
      seconds: (total ?? performance.now() - t0) / 1000,
      profile: sweep.profile,
      label: label ?? null,
    };
    writeJsonAtomic(cellRecordPath(dir, cell.id), record);
    return record;
  };
  try {
    const system = new SweepShard(cells, dir, runCell);
    const loop = await runLoop(system, {
      dir: join(dir, "shards", `${shard.index}-of-${shard.count}`),
      label: `sweep ${sweep.name} ${shard.index}/${shard.count}`,
      checkpointEvery: 1,
      stopAfter: opts.stopAfter,
      quiet: opts.quiet,
      progressInfo: (row) => ({ cell: String(row.cell) }),
    });
    return { dir, cells: cells.length, skipped: before, ran: loop.ran, complete: loop.complete, label };
  } finally {
    if (backend && !opts.backend) await backend.dispose();
  }
}
