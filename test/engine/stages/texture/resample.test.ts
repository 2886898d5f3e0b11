// Lanczos-3 pinned to reference values (test/fixtures/resample/lanczos_reference.py, float64,
// textbook kernel L(x) = sinc(x)·sinc(x/3)): the impulse response up 2× and down 2× (where the
// kernel stretches to low-pass), and its separable 2D form. Hand check of one entry: up 2×,
// output 10 samples c = 4.75, so the impulse at 5 sits at +0.25: L(0.25) = 0.900316·0.988616
// = 0.890067, over the taps' sum 0.996972 → 0.892771. Bilinear or bicubic fail the pin
// (checked below, so the test can tell them apart).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resample } from "../../../../src/engine/stages/texture/resample.js";

const UP_12_TO_24_IMPULSE_AT_5 = [0, 0, 0, 0, 0, 0.007378, 0.030112, -0.067997, -0.133275, 0.271011, 0.892771, 0.892771, 0.271011, -0.133275, -0.067997, 0.030112, 0.007378, 0, 0, 0, 0, 0, 0, 0];
const DOWN_24_TO_12_IMPULSE_AT_11 = [0, 0, 0, 0.015056, -0.066637, 0.446385, 0.135505, -0.033999, 0.003689, 0, 0, 0];

const impulse = (n: number, at: number) => Float32Array.from({ length: n }, (_, k) => (k === at ? 1 : 0));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** Bilinear with the same pixel-centre convention: what a wrong kernel would give. */
function bilinearRow(src: Float32Array, n: number): Float32Array {
  const s = src.length / n;
  return Float32Array.from({ length: n }, (_, i) => {
    const c = Math.min(src.length - 1, Math.max(0, (i + 0.5) * s - 0.5));
    const j = Math.floor(c), t = c - j;
    return (1 - t) * src[j]! + t * src[Math.min(src.length - 1, j + 1)]!;
  });
}

test("lanczos3 impulse response matches the reference to 1e-6 (up 2× and down 2×); bilinear and bicubic do not", () => {
  const up = resample(impulse(12, 5), 12, 1, 1, 24, 1, "lanczos3");
  assert.ok(maxDiff(up, UP_12_TO_24_IMPULSE_AT_5) < 1e-6, `up: ${Array.from(up, (v) => v.toFixed(6))}`);
  const down = resample(impulse(24, 11), 24, 1, 1, 12, 1, "lanczos3");
  assert.ok(maxDiff(down, DOWN_24_TO_12_IMPULSE_AT_11) < 1e-6, `down: ${Array.from(down, (v) => v.toFixed(6))}`);
  // The pin discriminates: other kernels miss it by far more than its tolerance.
  assert.ok(maxDiff(bilinearRow(impulse(12, 5), 24), UP_12_TO_24_IMPULSE_AT_5) > 0.1);
  assert.ok(maxDiff(resample(impulse(12, 5), 12, 1, 1, 24, 1, "bicubic"), UP_12_TO_24_IMPULSE_AT_5) > 0.01);
});

test("lanczos3 is separable: a 2D impulse (2 channels) upsamples to the outer product of the 1D reference", () => {
  const src = new Float32Array(12 * 12 * 2);
  src[(5 * 12 + 5) * 2] = 1;
  src[(5 * 12 + 5) * 2 + 1] = -2;
  const out = resample(src, 12, 12, 2, 24, 24, "lanczos3");
  const ref = UP_12_TO_24_IMPULSE_AT_5;
  let m = 0;
  for (let y = 0; y < 24; y++)
    for (let x = 0; x < 24; x++) {
      m = Math.max(m, Math.abs(out[(y * 24 + x) * 2]! - ref[y]! * ref[x]!));
      m = Math.max(m, Math.abs(out[(y * 24 + x) * 2 + 1]! + 2 * ref[y]! * ref[x]!));
    }
  assert.ok(m < 2e-6, `max deviation ${m}`);
});
