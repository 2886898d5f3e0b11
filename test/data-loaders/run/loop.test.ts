// The stage loop on a small deterministic system: stop and resume give the uninterrupted
// trajectory byte for byte (a torn last line from a kill included), snapshots land where asked,
// and a checkpoint of another run is refused in one line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runLoop } from "../../../data-loaders/run/loop.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { expectArray, expectStep, type Resumable, type ResumableState, type StepRow } from "../../../src/engine/run/resumable.js";
import { tempDir } from "../../helpers/tmp.js";

const tmp = tempDir("dreamface-loop-");

/** x ← x·1.5 + step, elementwise: the row depends on the whole history. */
class Walk implements Resumable {
  step = 0;
  x = new Float32Array([1, 2]);
  constructor(readonly total: number) {}
  async next(): Promise<StepRow> {
    for (let i = 0; i < this.x.length; i++) this.x[i] = this.x[i]! * 1.5 + this.step;
    return { step: this.step++, x0: this.x[0]!, x1: this.x[1]! };
  }
  state(): ResumableState {
    return { step: this.step, x: this.x.slice() };
  }
  restore(state: ResumableState): void {
    const x = expectArray(state, "x", Float32Array, 2);
    this.step = expectStep(state, this.total);
    this.x = x.slice();
  }
}

test("runLoop: stopped, torn, resumed → the uninterrupted trajectory and state; snapshots where asked; no wall time in rows", async () => {
  const whole = join(tmp, "whole"), resumed = join(tmp, "resumed");
  const snaps: number[] = [];
  const a = await runLoop(new Walk(7), { dir: whole, label: "walk", checkpointEvery: 3, snapshotEvery: 3, snapshotAt: [1], snapshot: (s) => void snaps.push(s), quiet: true });
  assert.equal(a.complete, true);
  assert.deepEqual(snaps, [0, 1, 3, 6, 7]);
  const first = await runLoop(new Walk(7), { dir: resumed, label: "walk", checkpointEvery: 3, stopAfter: 5, quiet: true });
  assert.deepEqual([first.step, first.complete, first.ran], [5, false, 5]);
  appendFileSync(join(resumed, "trajectory.jsonl"), '{"step":5,"x0":'); // a kill mid-append
  const system = new Walk(7);
  const second = await runLoop(system, { dir: resumed, label: "walk", checkpointEvery: 3, quiet: true });
  assert.deepEqual([second.step, second.complete, second.ran], [7, true, 4], "resumed from the step-3 checkpoint");
  assert.ok(readFileSync(join(resumed, "trajectory.jsonl")).equals(readFileSync(join(whole, "trajectory.jsonl"))));
  assert.ok(second.log.rows().every((r) => !("time_ms" in r)));
  const reference = new Walk(7);
  for (let i = 0; i < 7; i++) await reference.next();
  assert.deepEqual(system.x, reference.x);
});

test("runLoop: a checkpoint that does not fit the system is a one-line UserError", async () => {
  const dir = join(tmp, "mismatch");
  await runLoop(new Walk(4), { dir, label: "walk", checkpointEvery: 2, quiet: true });
  await assert.rejects(runLoop(new Walk(3), { dir, label: "walk", checkpointEvery: 2, quiet: true }), (e: unknown) => e instanceof UserError && /checkpoint does not match this run: "step" is 4, expected an integer in 0\.\.3/.test((e as Error).message) && !(e as Error).message.includes("\n"));
});
