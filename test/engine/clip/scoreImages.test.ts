// Tiny profile: seeded random CLIP towers, so scores are test signals (plumbing), not quality.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createNodeBackend } from "../../../data-loaders/models/backend-node.js";
import { loadTokenizer } from "../../../data-loaders/clip/merges.js";
import { clipImageEmbeddings, clipScoreOfImages, clipTextEmbedding } from "../../../src/engine/clip/scoreImages.js";
import { clipImageEmbed } from "../../../src/engine/models/decoders.js";
import { asFloat32, tensor } from "../../../src/engine/models/tensor.js";
import { clipPreprocess } from "../../../src/engine/clip/preprocess.js";
import type { ImageF32 } from "../../../src/engine/image/types.js";
import { Rng } from "../../../src/engine/util/rng.js";

const backend = await createNodeBackend({ profile: "tiny" });
after(() => backend.dispose());
const ids = loadTokenizer().tokenize("the realistic face of SOMEONE");
const rng = new Rng(6);
const image = (w: number, h: number): ImageF32 => ({ data: Float32Array.from({ length: w * h * 3 }, () => rng.uniform()), width: w, height: h, channels: 3 });

test("image embeddings are unit vectors proportional to the raw clip_image output", async () => {
  const img = image(256, 300);
  const [e] = await clipImageEmbeddings(backend, [img]);
  const raw = asFloat32(await clipImageEmbed(backend, tensor("float32", clipPreprocess(img), [1, 3, 224, 224])));
  const norm = Math.hypot(...raw);
  assert.equal(e!.length, raw.length);
  assert.ok(Math.abs(Math.hypot(...e!) - 1) < 1e-5);
  for (let i = 0; i < raw.length; i++) assert.ok(Math.abs(e![i]! - raw[i]! / norm) < 1e-5);
});

test("clipScoreOfImages is the per-image cosine with the prompt, averaged; ×100 on request", async () => {
  const imgs = [image(224, 224), image(320, 240)];
  const text = await clipTextEmbedding(backend, ids);
  const embeds = await clipImageEmbeddings(backend, imgs);
  const dots = embeds.map((e) => e.reduce((s, v, i) => s + v * text[i]!, 0));
  const score = await clipScoreOfImages(backend, imgs, ids);
  dots.forEach((d, i) => assert.ok(Math.abs(score.values[i]! - d) < 1e-5));
  assert.ok(score.values.every((v) => v >= -1 && v <= 1));
  assert.ok(Math.abs(score.mean - (dots[0]! + dots[1]!) / 2) < 1e-5);
  const x100 = await clipScoreOfImages(backend, imgs, ids, { scale: 100 });
  assert.ok(Math.abs(x100.mean - 100 * score.mean) < 1e-3);
});
