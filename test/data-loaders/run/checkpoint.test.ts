import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Checkpointer, decodeCheckpoint, encodeCheckpoint } from "../../../data-loaders/run/checkpoint.js";
import { tempDir } from "../../helpers/tmp.js";

test("encodeCheckpoint/decodeCheckpoint round-trips typed arrays bit-exactly and plain values", () => {
  const f32 = new Float32Array([1.5, -0, Number.MIN_VALUE, 3.4e38, NaN]);
  const i32 = new Int32Array([1, -2, 3]);
  const bytes = encodeCheckpoint(7, { params: f32, counts: i32, lr: 0.01, name: "x", rng: [1, 2, 3, 4, null] as unknown as number[] });
  const { step, state } = decodeCheckpoint(bytes);
  assert.equal(step, 7);
  assert.deepEqual(new Uint8Array((state.params as Float32Array).buffer), new Uint8Array(f32.buffer));
  assert.deepEqual(Array.from(state.counts as Int32Array), [1, -2, 3]);
  assert.equal(state.lr, 0.01);
  assert.equal(state.name, "x");
  assert.deepEqual(state.rng, [1, 2, 3, 4, null]);
});

test("decodeCheckpoint rejects foreign bytes", () => {
  assert.throws(() => decodeCheckpoint(new TextEncoder().encode("hello world, not a checkpoint")), /bad magic/);
});

test("Checkpointer keeps the newest two and load() skips a corrupt newest file", () => {
  const dir = tempDir("ckpt-");
  const ck = new Checkpointer(dir);
  assert.equal(ck.load(), undefined);
  for (const s of [3, 6, 9]) ck.save(s, { x: new Float32Array([s]) });
  assert.deepEqual(readdirSync(ck.dir).sort(), ["step-000006.ckpt", "step-000009.ckpt"]);
  assert.equal(ck.load()!.step, 9);
  writeFileSync(join(ck.dir, "step-000009.ckpt"), "garbage");
  const loaded = ck.load()!;
  assert.equal(loaded.step, 6);
  assert.equal((loaded.state.x as Float32Array)[0], 6);
});
