// Hand-computed values of Pillow's resampling (a = −0.5 cubic, renormalised at borders).
import { test } from "node:test";
import assert from "node:assert/strict";
import { resize } from "../../../src/engine/image/resize.js";
import type { ImageF32 } from "../../../src/engine/image/types.js";

const row = (values: number[]): ImageF32 => ({ data: Float32Array.from(values), width: values.length, height: 1, channels: 1 });

function closeAll(actual: ArrayLike<number>, expected: number[], tol = 1e-6) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `[${i}] ${actual[i]} vs ${expected[i]}`);
}

// Cubic kernel, a = −0.5: f(0.25) = 0.8671875, f(0.75) = 0.2265625, f(1.25) = −0.0703125, f(1.75) = −0.0234375.
test("bicubic 2 → 4 upsampling: border taps are renormalised", () => {
  const out = resize(row([0, 1]), 4, 1).data;
  // Output 0 sits at 0.25: pixel centres 0.5 and 1.5 are 0.25 and 1.25 away; the left taps fall outside.
  const w0 = 0.8671875, w1 = -0.0703125;
  // Output 1 sits at 0.75: pixel centres 0.5 and 1.5 are 0.25 and 0.75 away.
  const v0 = 0.8671875, v1 = 0.2265625;
  closeAll(out, [w1 / (w0 + w1), v1 / (v0 + v1), v0 / (v0 + v1), w0 / (w0 + w1)]);
});

test("bicubic downsampling 8 → 2 widens the kernel (antialias) and keeps constants", () => {
  // scale 4, support 8: output 0 centred at 2 reaches all 8 inputs, weights f((x + 0.5 − 2)/4).
  const input = [1, 0, 0, 0, 0, 0, 0, 0];
  const f = (x: number) => {
    x = Math.abs(x);
    return x < 1 ? (1.5 * x - 2.5) * x * x + 1 : x < 2 ? (((x - 5) * x + 8) * x - 4) * -0.5 : 0;
  };
  const w = [0, 1, 2, 3, 4, 5, 6, 7].map((x) => f((x - 1.5) / 4));
  const sum = w.reduce((a, b) => a + b, 0);
  const out = resize(row(input), 2, 1).data;
  closeAll([out[0]!], [w[0]! / sum]);
  closeAll(resize(row([3, 3, 3, 3, 3, 3, 3, 3]), 3, 1).data, [3, 3, 3]);
});

test("bilinear antialiased 4 → 2 uses triangle weights stretched ×2", () => {
  // Output 0 (centre 1): weights 0.75, 0.75, 0.25 on x = 0..2 → 3/7, 3/7, 1/7.
  closeAll(resize(row([7, 0, 0, 0]), 2, 1, { filter: "bilinear" }).data, [3, 0]);
  closeAll(resize(row([0, 0, 0, 7]), 2, 1, { filter: "bilinear" }).data, [0, 3]);
});

test("bilinear without antialias equals align_corners=False interpolation", () => {
  // Source positions (x + 0.5)/2 − 0.5 = −0.25, 0.25, 0.75, 1.25, clamped at the borders.
  closeAll(resize(row([0, 1]), 4, 1, { filter: "bilinear", antialias: false }).data, [0, 0.25, 0.75, 1]);
  // Downsampling 4 → 2 samples at 1.5 and 3.5 with two taps each.
  closeAll(resize(row([0, 2, 4, 6]), 2, 1, { filter: "bilinear", antialias: false }).data, [1, 5]);
});

test("2-D resize is separable and keeps channels apart", () => {
  const img: ImageF32 = { data: Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]), width: 2, height: 2, channels: 2 };
  const out = resize(img, 1, 1, { filter: "bilinear" });
  assert.equal(out.data.length, 2);
  closeAll(out.data, [2.5, 25]);
  const same = resize(img, 2, 2);
  assert.notEqual(same.data, img.data, "a no-op resize returns a copy");
  assert.deepEqual(Array.from(same.data), Array.from(img.data));
  assert.throws(() => resize({ ...img, channels: 3 }, 2, 2), /expected 2×2×3/);
  assert.throws(() => resize(img, 0, 2), /positive integers/);
});

test("7×5 → 3×4 matches Pillow 12.3's float ('F' mode) resize", () => {
  // Fixture printed by Pillow: Image.fromarray(a, "F").resize((3, 4), BICUBIC / BILINEAR).
  const data = Float32Array.from({ length: 35 }, (_, i) => (((i % 7) * 7 + Math.floor(i / 7) * 3) % 11) / 10);
  const img: ImageF32 = { data, width: 7, height: 5, channels: 1 };
  closeAll(resize(img, 3, 4).data, [0.4158829, 0.6591322, 0.5218928, 0.5999423, 0.5316635, 0.4585634, 0.5414366, 0.4683365, 0.4000577, 0.4781072, 0.3408678, 0.5841171], 1e-6);
  closeAll(resize(img, 3, 4, { filter: "bilinear" }).data, [0.4392857, 0.6382353, 0.5125, 0.5928571, 0.5137255, 0.4696428, 0.5303571, 0.4862745, 0.4071428, 0.4875, 0.3617647, 0.5607143], 1e-6);
});
