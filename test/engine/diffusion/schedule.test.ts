// ᾱ_t and β_t against ../shared/reference/model-interfaces.md §2.1 (float64 Python values).
import { test } from "node:test";
import assert from "node:assert/strict";
import { alphaBar, ddpmSchedule } from "../../../src/engine/diffusion/schedule.js";
import { addNoise } from "../../../src/engine/diffusion/noise.js";

const TABLE: [t: number, beta: number, alphaBar: number][] = [
  [0, 8.5e-4, 0.99915],
  [1, 8.5469865541e-4, 0.998296027838],
  [2, 8.5941026172e-4, 0.997438081988],
  [20, 9.4643378165e-4, 0.981314362201],
  [100, 1.3839725616e-3, 0.894223477587],
  [250, 2.4277610291e-3, 0.673792625233],
  [499, 4.8037929806e-3, 0.277669650456],
  [500, 4.8149541417e-3, 0.276332683823],
  [750, 8.011579338e-3, 0.056169848003],
  [980, 1.1667364935e-2, 0.005843783319],
  [999, 1.2e-2, 0.004660098513],
];

function close(actual: number, expected: number, rel: number, what: string) {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected}`);
}

test("ddpmSchedule reproduces SD 1.5's ᾱ_t and β_t (rel 1e-6)", () => {
  const s = ddpmSchedule();
  assert.equal(s.trainSteps, 1000);
  for (const [t, beta, ab] of TABLE) {
    close(s.alphasCumprod[t]!, ab, 1e-6, `ᾱ_${t}`);
    close(s.betas[t]!, beta, 1e-6, `β_${t}`);
  }
  close(s.betas.reduce((a, b) => a + b, 0), 5.348992791713, 1e-9, "Σβ");
  assert.equal(s.finalAlphaCumprod, s.alphasCumprod[0]);
  assert.equal(ddpmSchedule({ setAlphaToOne: true }).finalAlphaCumprod, 1);
});

// float32 accumulation drifts along the cumulative product: 1e-6 holds up to t = 499, the
// tail (ᾱ₉₉₉) is 2e-6 away, so it gets 5e-6.
test("the float32-emulated reference values are close to our float64 ones", () => {
  const s = ddpmSchedule();
  close(s.alphasCumprod[0]!, 0.999149978, 1e-6, "ᾱ₀ f32");
  close(s.alphasCumprod[499]!, 0.277669519, 1e-6, "ᾱ₄₉₉ f32");
  close(s.alphasCumprod[999]!, 0.0046600895, 5e-6, "ᾱ₉₉₉ f32");
});

test("alphaBar rejects timesteps outside 0..T−1", () => {
  const s = ddpmSchedule();
  assert.throws(() => alphaBar(s, 1000), /\[0, 999\]/);
  assert.throws(() => alphaBar(s, -1), /timestep/);
  assert.throws(() => alphaBar(s, 2.5), /integer/);
  assert.throws(() => ddpmSchedule({ betaStart: 0.1, betaEnd: 0.01 }), /betaStart ≤ betaEnd/);
});

test("addNoise computes √ᾱ·x₀ + √(1−ᾱ)·ε", () => {
  const s = ddpmSchedule();
  // t = 499: √ᾱ = 0.526943688127, √(1−ᾱ) = 0.849900199755 (reference table).
  const out = addNoise(s, Float32Array.of(1, -2, 0), Float32Array.of(0.5, 0, -1), 499);
  const expected = [0.526943688127 + 0.5 * 0.849900199755, -2 * 0.526943688127, -0.849900199755];
  expected.forEach((e, i) => close(out[i]!, e, 1e-6, `x_t[${i}]`));
  assert.throws(() => addNoise(s, new Float32Array(2), new Float32Array(3), 10), /lengths differ/);
});
