import { test } from "node:test";
import assert from "node:assert/strict";
import { ddpmSchedule } from "../../../src/engine/diffusion/schedule.js";
import { cfg } from "../../../src/engine/diffusion/guidance.js";
import { sdsGrad, sdsWeight } from "../../../src/engine/diffusion/sds.js";

const s = ddpmSchedule();

function close(actual: number, expected: number, tol: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

test("cfg: diffusers convention uncond + s·(cond − uncond), threestudio's s+1 variant", () => {
  const uncond = Float32Array.of(1, 2, 3), cond = Float32Array.of(2, 2, 0);
  assert.deepEqual(Array.from(cfg(uncond, cond, 7.5)), [8.5, 2, -19.5]);
  assert.deepEqual(Array.from(cfg(uncond, cond, 7.5, { convention: "threestudio" })), [9.5, 2, -22.5]);
  assert.deepEqual(Array.from(cfg(uncond, cond, 1)), [2, 2, 0]);
  assert.deepEqual(Array.from(cfg(uncond, cond, 0)), [1, 2, 3]);
  assert.throws(() => cfg(uncond, Float32Array.of(1), 2), /lengths differ/);
});

test("SDS weightings against the reference table (t = 499, 980)", () => {
  close(sdsWeight(s, 499, "sds"), 0.722330349544, 1e-6, "sds 499");
  close(sdsWeight(s, 499, "fantasia3d"), 0.380627418434, 1e-6, "fantasia3d 499");
  close(sdsWeight(s, 980, "sds"), 0.994156216681, 1e-6, "sds 980");
  close(sdsWeight(s, 980, "fantasia3d"), 0.075997916259, 1e-6, "fantasia3d 980");
  assert.equal(sdsWeight(s, 250, "uniform"), 1);
  assert.throws(() => sdsWeight(s, 250, "bogus" as never), /unknown SDS weighting/);
});

test("sdsGrad = w(t)·(ε̂ − ε), with loss 0.5·‖grad‖²/batch", () => {
  const eps = Float32Array.of(1, 2, -1), noise = Float32Array.of(0.5, 2, 1);
  const w = 0.722330349544;
  const r = sdsGrad({ schedule: s, eps, noise, t: 499 });
  [0.5 * w, 0, -2 * w].forEach((e, i) => close(r.grad[i]!, e, 1e-6, `grad[${i}]`));
  close(r.loss, 0.5 * (0.25 + 4) * w * w, 1e-6, "loss");
  close(r.gradNorm, Math.sqrt(4.25) * w, 1e-6, "norm");
  const u = sdsGrad({ schedule: s, eps, noise, t: 499, weighting: "uniform", batchSize: 2 });
  assert.deepEqual(Array.from(u.grad), [0.5, 0, -2]);
  close(u.loss, (0.5 * 4.25) / 2, 1e-9, "uniform loss / batch 2");
});

test("sdsGrad applies nan_to_num, then the clamp", () => {
  const eps = Float32Array.of(NaN, Infinity, -Infinity, 3);
  const noise = Float32Array.of(0, 0, 0, 0);
  const r = sdsGrad({ schedule: s, eps, noise, t: 10, weighting: "uniform" });
  assert.equal(r.grad[0], 0);
  assert.equal(r.grad[1], 3.4028234663852886e38);
  assert.equal(r.grad[2], -3.4028234663852886e38);
  const c = sdsGrad({ schedule: s, eps, noise, t: 10, weighting: "uniform", clamp: 0.5 });
  assert.deepEqual(Array.from(c.grad), [0, 0.5, -0.5, 0.5]);
  assert.throws(() => sdsGrad({ schedule: s, eps, noise, t: 10, clamp: 0 }), /clamp must be > 0/);
});
