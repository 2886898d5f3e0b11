import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeBackend } from "../../../data-loaders/models/backend-node.js";
import { parseVariants, runAblation } from "../../../data-loaders/texture/ablate.js";
import { meanFaceGeometry } from "../../../data-loaders/texture/geometry-input.js";
import { TINY_LABEL } from "../../../data-loaders/run/index.js";
import { readPng } from "../../../data-loaders/io/png.js";
import { tokenize } from "../../../data-loaders/clip/merges.js";
import { CLIP_IMAGE_SIZE, clipPreprocess } from "../../../src/engine/clip/preprocess.js";
import { clipImageEmbed } from "../../../src/engine/models/decoders.js";
import { clipTextEmbed } from "../../../src/engine/models/text.js";
import { asFloat32, tensor } from "../../../src/engine/models/tensor.js";

test("parseVariants: defaults to all three, rejects unknown names, drops duplicates", () => {
  assert.deepEqual(parseVariants(undefined), ["full", "wo-texture", "wo-lt"]);
  assert.deepEqual(parseVariants(["wo-lt", " full", "wo-lt"]), ["wo-lt", "full"]);
  assert.throws(() => parseVariants(["full", "best"]), /unknown variant "best"/);
});

test("runAblation: one texture run per variant, renders, a labelled comparison table, and CLIP scores that match an independent recomputation", async () => {
  const root = mkdtempSync(join(tmpdir(), "dreamface-ablate-"));
  const backend = await createNodeBackend({ profile: "tiny" });
  try {
    const geometry = await meanFaceGeometry("a test signal face");
    const overrides = { latent: { steps: 2, renderSize: 32 }, image: { steps: 1, renderSize: 64 }, pbr: { size: 64, glbTextureSize: 32 } };
    const { dir, rows } = await runAblation({ geometry, variants: ["full", "wo-lt"], out: root, overrides, backend, quiet: true });
    assert.deepEqual(rows.map((r) => r.variant), ["full", "wo-lt"]);
    assert.deepEqual(rows.map((r) => [r.latentSteps, r.imageSteps]), [[2, 1], [0, 3]]);
    for (const r of rows) {
      assert.equal(r.clipScores.length, 3);
      assert.ok(Number.isFinite(r.clipScore) && Math.abs(r.clipScore) <= 1);
      for (const v of ["front", "left", "right"]) assert.ok(existsSync(join(dir, "renders", `${r.variant}-${v}.png`)));
    }
    // The score's value, recomputed independently of clipScoreOfImages/score.ts: the written
    // renders (8-bit, so a little quantisation apart) through the CLIP encoders, cosine by hand.
    const text = asFloat32(await clipTextEmbed(backend, tokenize(geometry.prompt)));
    const cosine = (a: Float32Array, b: Float32Array) => {
      let ab = 0, aa = 0, bb = 0;
      for (let i = 0; i < a.length; i++) (ab += a[i]! * b[i]!), (aa += a[i]! * a[i]!), (bb += b[i]! * b[i]!);
      return ab / Math.sqrt(aa * bb);
    };
    for (const r of rows) {
      const expected: number[] = [];
      for (const v of ["front", "left", "right"]) {
        const png = readPng(join(dir, "renders", `${r.variant}-${v}.png`));
        const pixels = clipPreprocess({ data: png.data, width: png.width, height: png.height, channels: 3 });
        expected.push(cosine(asFloat32(await clipImageEmbed(backend, tensor("float32", pixels, [1, 3, CLIP_IMAGE_SIZE, CLIP_IMAGE_SIZE]))), text));
      }
      for (let k = 0; k < 3; k++) assert.ok(Math.abs(r.clipScores[k]! - expected[k]!) < 2e-3, `${r.variant} view ${k}: ${r.clipScores[k]} vs recomputed ${expected[k]}`);
      const mean = expected.reduce((a, b) => a + b, 0) / 3;
      assert.ok(Math.abs(r.clipScore - mean) < 2e-3, `${r.variant}: CLIP score ${r.clipScore} vs recomputed ${mean}`);
    }
    // Different variants optimize differently: their final latents differ.
    assert.notDeepEqual(readFileSync(join(rows[0]!.dir, "latent.f32")), readFileSync(join(rows[1]!.dir, "latent.f32")));
    const table = JSON.parse(readFileSync(join(dir, "comparison.json"), "utf8"));
    assert.equal(table.label, TINY_LABEL);
    assert.equal(table.rows.length, 2);
  } finally {
    await backend.dispose();
    rmSync(root, { recursive: true, force: true });
  }
});
