import { test } from "node:test";
import assert from "node:assert/strict";
import { centerCrop, crop } from "../../../src/engine/image/crop.js";
import { chwToHwc, fromSigned, hwcToChw, toSigned } from "../../../src/engine/image/layout.js";
import type { ImageF32 } from "../../../src/engine/image/types.js";

const ramp = (w: number, h: number, c = 1): ImageF32 => ({ data: Float32Array.from({ length: w * h * c }, (_, i) => i), width: w, height: h, channels: c });

test("centerCrop rounds odd margins half to even like torchvision", () => {
  // Width 5 → 2: margin 1.5 rounds to 2; height 4 → 2: margin 1.
  const out = centerCrop(ramp(5, 4), 2, 2);
  assert.deepEqual(Array.from(out.data), [7, 8, 12, 13]);
  // Width 4 → 1: margin 1.5 → 2; width 6 → 1: margin 2.5 → 2 (half to even).
  assert.deepEqual(Array.from(centerCrop(ramp(4, 1), 1, 1).data), [2]);
  assert.deepEqual(Array.from(centerCrop(ramp(6, 1), 1, 1).data), [2]);
  assert.throws(() => crop(ramp(3, 3), 2, 2, 2, 2), /outside/);
});

test("HWC ↔ CHW round trip and layout", () => {
  const img = ramp(2, 1, 3); // pixels (0,1,2), (3,4,5)
  const chw = hwcToChw(img);
  assert.deepEqual(Array.from(chw), [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(Array.from(chwToHwc(chw, 3, 1, 2).data), Array.from(img.data));
});

test("[0,1] ↔ [−1,1]", () => {
  assert.deepEqual(Array.from(toSigned(Float32Array.of(0, 0.5, 1))), [-1, 0, 1]);
  assert.deepEqual(Array.from(fromSigned(Float32Array.of(-1, 0, 1, 3))), [0, 0.5, 1, 1]);
  assert.deepEqual(Array.from(fromSigned(Float32Array.of(3), { clamp: false })), [2]);
});
