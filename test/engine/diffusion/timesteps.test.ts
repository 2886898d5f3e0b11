import { test } from "node:test";
import assert from "node:assert/strict";
import { timestepAt, type TimestepSchedule } from "../../../src/engine/diffusion/timesteps.js";
import { Rng } from "../../../src/engine/util/rng.js";

const run = (schedule: TimestepSchedule, total: number, seed = 1) => {
  const rng = new Rng(seed);
  return Array.from({ length: total }, (_, step) => timestepAt(schedule, step, total, rng));
};

test("decreasing: starts at t_max, falls in equal steps, ends at t_min", () => {
  // Default: 0.98·T down to 0 (the paper's "from t_max to 0").
  assert.deepEqual(run({ kind: "decreasing" }, 11), [980, 882, 784, 686, 588, 490, 392, 294, 196, 98, 0]);
  assert.deepEqual(run({ kind: "decreasing", min: 0.02 }, 11), [980, 884, 788, 692, 596, 500, 404, 308, 212, 116, 20]);
  const long = run({ kind: "decreasing", max: 0.8, min: 0 }, 1000);
  assert.equal(long[0], 800);
  assert.equal(long.at(-1), 0);
  for (let i = 1; i < long.length; i++) assert.ok(long[i]! <= long[i - 1]!, `step ${i} rises`);
  assert.deepEqual(run({ kind: "decreasing" }, 1), [980]);
});

test("uniform: integers within [⌊0.02T⌋, ⌊0.98T⌋], seeded, covering the range", () => {
  const a = run({ kind: "uniform" }, 3000, 7);
  assert.ok(a.every((t) => Number.isInteger(t) && t >= 20 && t <= 980));
  assert.ok(Math.min(...a) < 40 && Math.max(...a) > 960, "draws cover the range");
  assert.deepEqual(run({ kind: "uniform" }, 50, 7), a.slice(0, 50));
  assert.notDeepEqual(run({ kind: "uniform" }, 50, 8), a.slice(0, 50));
});

test("uniform bounds may follow schedules (annealed t_max)", () => {
  const s: TimestepSchedule = { kind: "uniform", min: 0.02, max: [100, 0.98, 0.5, 200] };
  const rng = new Rng(2);
  for (let k = 0; k < 200; k++) assert.ok(timestepAt(s, 300, 400, rng) <= 500);
});

test("custom: value·T of any schedule", () => {
  const s: TimestepSchedule = { kind: "custom", value: [0, 0.98, 0.5, 100] };
  const rng = new Rng(0);
  assert.equal(timestepAt(s, 0, 200, rng), 980);
  assert.equal(timestepAt(s, 50, 200, rng), 740);
  assert.equal(timestepAt(s, 150, 200, rng), 500);
  assert.equal(timestepAt({ kind: "custom", value: 1 }, 0, 1, rng), 999);
});

test("resuming with the saved Rng state repeats the uniform draws", () => {
  const rng = new Rng(11);
  for (let i = 0; i < 5; i++) timestepAt({ kind: "uniform" }, i, 10, rng);
  const saved = rng.getState();
  const tail = [5, 6, 7].map((i) => timestepAt({ kind: "uniform" }, i, 10, rng));
  const resumed = new Rng(0);
  resumed.setState(saved);
  assert.deepEqual([5, 6, 7].map((i) => timestepAt({ kind: "uniform" }, i, 10, resumed)), tail);
});

