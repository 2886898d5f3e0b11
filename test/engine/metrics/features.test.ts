// Tiny profile: kid_features is a seeded random 64-d net, so KID values are test signals.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../data-loaders/models/backend-node.js";
import { imageFeatures, kidOfImages } from "../../../src/engine/metrics/features.js";
import { kid } from "../../../src/engine/metrics/kid.js";
import type { ImageF32 } from "../../../src/engine/image/types.js";
import { Rng } from "../../../src/engine/util/rng.js";

const backend = await createNodeBackend({ profile: "tiny" });
after(() => backend.dispose());
const rng = new Rng(12);
const image = (size: number, offset: number, channels = 3): ImageF32 => ({
  data: Float32Array.from({ length: size * size * channels }, () => Math.min(1, rng.uniform() * 0.5 + offset)),
  width: size,
  height: size,
  channels,
});

test("imageFeatures resizes to 299², drops alpha and stacks one row per image", async () => {
  const imgs = [image(64, 0.1), image(299, 0.2), image(100, 0.3, 4)];
  const f = await imageFeatures(backend, imgs);
  assert.equal(f.data.length, 3 * f.dim);
  assert.ok(f.dim > 1);
  assert.ok(f.data.every(Number.isFinite));
  // The alpha channel must not change the features.
  const rgba = image(32, 0.4, 4);
  const rgb: ImageF32 = { data: Float32Array.from({ length: 32 * 32 * 3 }, (_, i) => rgba.data[Math.floor(i / 3) * 4 + (i % 3)]!), width: 32, height: 32, channels: 3 };
  assert.deepEqual(Array.from((await imageFeatures(backend, [rgba])).data), Array.from((await imageFeatures(backend, [rgb])).data));
  await assert.rejects(imageFeatures(backend, []), /no images/);
});

test("kidOfImages equals kid() on the same features with the same seed", async () => {
  const a = [0, 1, 2, 3, 4, 5].map(() => image(48, 0.1));
  const b = [0, 1, 2, 3, 4, 5].map(() => image(48, 0.5));
  const r = await kidOfImages(backend, a, b, { subsetSize: 4, subsets: 5, rng: new Rng(1) });
  const fa = await imageFeatures(backend, a), fb = await imageFeatures(backend, b);
  assert.deepEqual(r.values, kid(fa.data, fb.data, fa.dim, { subsetSize: 4, subsets: 5, rng: new Rng(1) }).values);
  assert.equal(r.values.length, 5);
});
