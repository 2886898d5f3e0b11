import { test } from "node:test";
import assert from "node:assert/strict";
import { ddpmSchedule } from "../../../src/engine/diffusion/schedule.js";
import { addNoise } from "../../../src/engine/diffusion/noise.js";
import { ddimSample, ddimStep, ddimTimesteps, img2imgTimesteps } from "../../../src/engine/diffusion/ddim.js";
import { Rng } from "../../../src/engine/util/rng.js";

const s = ddpmSchedule();
// Reference ᾱ (model-interfaces.md §2.1).
const AB = { 0: 0.99915, 1: 0.998296027838, 250: 0.673792625233, 500: 0.276332683823 };

function close(actual: number, expected: number, tol: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected}`);
}

test("ddimTimesteps(50) is 981, 961, …, 21, 1", () => {
  const ts = ddimTimesteps(s, 50);
  assert.equal(ts.length, 50);
  assert.deepEqual(Array.from(ts), Array.from({ length: 50 }, (_, i) => 981 - 20 * i));
  assert.deepEqual(Array.from(ddimTimesteps(s, 4)), [751, 501, 251, 1]);
  assert.deepEqual(Array.from(ddimTimesteps(s, 3, { stepsOffset: 0 })), [666, 333, 0]);
  assert.throws(() => ddimTimesteps(s, 0), /integer in \[1, 1000\]/);
});

test("img2imgTimesteps keeps ⌊N·strength⌋ trailing steps", () => {
  const { timesteps, startIndex } = img2imgTimesteps(s, 50, 0.6);
  assert.equal(startIndex, 20);
  assert.equal(timesteps.length, 30);
  assert.equal(timesteps[0], 581);
  assert.equal(timesteps[29], 1);
  assert.equal(img2imgTimesteps(s, 50, 1).timesteps[0], 981);
  assert.throws(() => img2imgTimesteps(s, 50, 0), /strength/);
  assert.throws(() => img2imgTimesteps(s, 10, 0.05), /keeps no step/);
});

test("ddimStep with η = 0 matches the hand computation (t 500 → 250)", () => {
  const eps = 0.5, x = 1;
  const x0 = (x - Math.sqrt(1 - AB[500]) * eps) / Math.sqrt(AB[500]);
  const prev = Math.sqrt(AB[250]) * x0 + Math.sqrt(1 - AB[250]) * eps;
  const r = ddimStep(s, { eps: Float32Array.of(eps), sample: Float32Array.of(x), t: 500, numSteps: 4 });
  close(r.predOriginal[0]!, x0, 1e-6, "x0");
  close(r.prevSample[0]!, prev, 1e-6, "x_prev");
});

test("ddimStep with η = 1 adds σ·z and shrinks the direction term", () => {
  const eps = 0.5, x = 1, z = 2;
  const x0 = (x - Math.sqrt(1 - AB[500]) * eps) / Math.sqrt(AB[500]);
  const variance = ((1 - AB[250]) / (1 - AB[500])) * (1 - AB[500] / AB[250]);
  const sigma = Math.sqrt(variance);
  const prev = Math.sqrt(AB[250]) * x0 + Math.sqrt(1 - AB[250] - variance) * eps + sigma * z;
  const r = ddimStep(s, { eps: Float32Array.of(eps), sample: Float32Array.of(x), t: 500, numSteps: 4, eta: 1, varianceNoise: Float32Array.of(z) });
  close(r.prevSample[0]!, prev, 1e-6, "x_prev(η=1)");
  assert.throws(() => ddimStep(s, { eps: Float32Array.of(0), sample: Float32Array.of(0), t: 500, numSteps: 4, eta: 1 }), /varianceNoise/);
});

test("the last step uses the final ᾱ (= ᾱ₀ for SD 1.5)", () => {
  const r = ddimStep(s, { eps: Float32Array.of(0), sample: Float32Array.of(2), t: 1, numSteps: 50 });
  close(r.prevSample[0]!, (Math.sqrt(AB[0]) * 2) / Math.sqrt(AB[1]), 1e-6, "x_prev at t=1");
});

test("with the true noise, ddimStep recovers x₀ and lands on the noised x₀ at the previous t", () => {
  const rng = new Rng(3);
  const x0 = rng.normals(16), eps = rng.normals(16);
  const xt = addNoise(s, x0, eps, 761);
  const r = ddimStep(s, { eps, sample: xt, t: 761, numSteps: 50 });
  const expectedPrev = addNoise(s, x0, eps, 741);
  for (let i = 0; i < 16; i++) {
    close(r.predOriginal[i]!, x0[i]!, 1e-4, `x0[${i}]`);
    close(r.prevSample[i]!, expectedPrev[i]!, 1e-4, `prev[${i}]`);
  }
});

test("ddimSample denoises towards the oracle's x₀, is seeded, and edits from the strength's timestep", async () => {
  const target = Float32Array.of(0.5, -0.25, 1, 0);
  // An oracle ε̂ for a single clean point: ε = (x_t − √ᾱ·x₀)/√(1−ᾱ).
  const oracle = (seen: number[]) => async (x: Float32Array, t: number) => {
    seen.push(t);
    const ab = s.alphasCumprod[t]!;
    return x.map((v, i) => (v - Math.sqrt(ab) * target[i]!) / Math.sqrt(1 - ab));
  };
  const seen: number[] = [];
  const noise = new Rng(9).normals(4);
  const out = await ddimSample(s, { numSteps: 50, latents: noise, predictEps: oracle(seen), rng: new Rng(1) });
  assert.deepEqual(seen, Array.from(ddimTimesteps(s, 50)));
  out.forEach((v, i) => close(v, target[i]!, 0.05, `sample[${i}]`));

  const edit = async (seed: number) => {
    const ts: number[] = [];
    const r = await ddimSample(s, { numSteps: 50, latents: Float32Array.of(0, 0, 0, 0), predictEps: oracle(ts), rng: new Rng(seed), strength: 0.6, eta: 0.5 });
    return { r, ts };
  };
  const a = await edit(4), b = await edit(4), c = await edit(5);
  assert.equal(a.ts.length, 30);
  assert.equal(a.ts[0], 581);
  assert.deepEqual(Array.from(a.r), Array.from(b.r));
  assert.notDeepEqual(Array.from(a.r), Array.from(c.r));
});
