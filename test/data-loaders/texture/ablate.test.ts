import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNodeBackend } from "../../../data-loaders/models/backend-node.js";
import { parseVariants, runAblation } from "../../../data-loaders/texture/ablate.js";
import { meanFaceGeometry } from "../../../data-loaders/texture/geometry-input.js";
import { TINY_LABEL } from "../../../data-loaders/run/index.js";

test("parseVariants: defaults to all three, rejects unknown names, drops duplicates", () => {
  assert.deepEqual(parseVariants(undefined), ["full", "wo-texture", "wo-lt"]);
  assert.deepEqual(parseVariants(["wo-lt", " full", "wo-lt"]), ["wo-lt", "full"]);
  assert.throws(() => parseVariants(["full", "best"]), /unknown variant "best"/);
});

test("runAblation: one texture run per variant, renders, and a labelled comparison table", async () => {
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
