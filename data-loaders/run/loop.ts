// The one resumable stage loop every long command runs through: restore the newest
// checkpoint, cut the trajectory back to it, step, log, snapshot, checkpoint, stop early on
// request (tests simulate kills with `stopAfter`), and report. Snapshots are written before
// the checkpoint of the same step, so a resumed run never has to redo one.
//
// Time policy: trajectory rows carry no wall-clock time. A row is a pure function of
// (config, seed, step), so trajectory.jsonl / .parquet of a resumed run are byte-identical to an
// uninterrupted run's; wall time is `LoopResult.ms`, which stages put in the manifest's timings.
import { Checkpointer } from "./checkpoint.js";
import { TrajectoryLog } from "./trajectory.js";
import { progress } from "./progress.js";
import { UserError } from "../cli/errors.js";
import { RestoreMismatchError, type Resumable, type StepRow } from "../../src/engine/run/resumable.js";

export interface LoopOptions {
  /** Run folder: checkpoints go to `<dir>/checkpoints`, rows to `<dir>/<trajectory>.jsonl`. */
  dir: string;
  /** Progress label, e.g. "carving". */
  label: string;
  trajectory?: string;
  checkpointEvery: number;
  /** Called after step s when s % snapshotEvery == 0, at the last step, and once at step 0. */
  snapshotEvery?: number;
  /** Further steps after which to snapshot (e.g. the end of a first phase). */
  snapshotAt?: readonly number[];
  snapshot?: (step: number) => void | Promise<void>;
  /** Stop after this many steps in this process (a simulated kill). */
  stopAfter?: number;
  quiet?: boolean;
  /** Extra progress fields from a row. */
  progressInfo?: (row: StepRow) => Record<string, string | number>;
}

export interface LoopResult {
  step: number;
  complete: boolean;
  /** Steps run by this process. */
  ran: number;
  /** Rows of the whole trajectory so far (including earlier processes). */
  log: TrajectoryLog;
  /** Wall time of this process's steps, snapshots and checkpoints (ms). */
  ms: number;
}

export async function runLoop(system: Resumable, opts: LoopOptions): Promise<LoopResult> {
  const checkpoints = new Checkpointer(opts.dir);
  const log = new TrajectoryLog(opts.dir, opts.trajectory ?? "trajectory");
  const saved = checkpoints.load();
  if (saved) {
    try {
      system.restore(saved.state);
    } catch (error) {
      if (error instanceof RestoreMismatchError) throw new UserError(`${opts.dir}: ${error.message}; use another --out, or delete that folder`);
      throw error;
    }
  }
  log.truncateTo(system.step);
  const total = system.total;
  const bar = progress(opts.label, total, { quiet: opts.quiet });
  bar.tick(system.step);
  if (system.step === 0 && opts.snapshot) await opts.snapshot(0);
  let ran = 0;
  const t0 = performance.now();
  const snapshotAt = new Set(opts.snapshotAt ?? []);
  try {
    while (system.step < total && (opts.stopAfter === undefined || ran < opts.stopAfter)) {
      const row = await system.next();
      log.append(row);
      ran++;
      const s = system.step;
      if (opts.snapshot && ((opts.snapshotEvery && (s % opts.snapshotEvery === 0 || s === total)) || snapshotAt.has(s))) await opts.snapshot(s);
      if (s % opts.checkpointEvery === 0 || s === total) {
        log.flush();
        checkpoints.save(s, system.state());
      }
      bar.tick(1, opts.progressInfo?.(row) ?? {});
    }
  } finally {
    bar.stop();
    log.close();
  }
  return { step: system.step, complete: system.step >= total, ran, log, ms: Math.round(performance.now() - t0) };
}
