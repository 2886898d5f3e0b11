// `dreamface generate` chains the stages into one run folder and says which ones ran.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPool } from "../../../data-loaders/geometry/pool-build.js";
import { runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";

const tmp = tempDir("dreamface-generate-test-");

test("generate runs geometry then texture into <out>/geometry and <out>/texture", async () => {
  const pool = join(tmp, "pool");
  await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 2, quiet: true });
  const experiment = join(tmp, "exp.json");
  writeFileSync(experiment, JSON.stringify({
    name: "generate-test",
    seed: 2,
    geometry: { carving: { steps: 2, renderSize: 32, normalMapSize: 16 }, hair: { style: "short crop", colour: "black" } },
    texture: { latent: { steps: 1, renderSize: 32 }, image: { steps: 1, renderSize: 32 }, pbr: { size: 32, glbTextureSize: 32 } },
  }));
  const out = join(tmp, "run");
  const r = runCli(["generate", "a smiling woman", "--pool", pool, "--experiment", experiment, "--out", out], { DREAMFACE_TEST: "1" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /generate: ran geometry → texture; not run: animation/);
  const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
  assert.equal(manifest.stage, "generate");
  assert.equal(manifest.profile, "tiny");
  assert.ok(manifest.outputs["texture/asset.glb"], "the top-level manifest points at the asset");
  assert.equal(manifest.stages.texture, "texture");
  assert.match(r.stdout, /tiny profile — test signal, not a face/);
  for (const f of ["geometry/carved.glb", "geometry/hair.glb", "geometry/manifest.json", "texture/manifest.json"]) assert.ok(existsSync(join(out, f)), f);
});

test("generate names bad input and exits 2", () => {
  const r = runCli(["generate", "   "]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /prompt is empty/);
  const s = runCli(["generate", "x", "--steps", "-3", "--pool", join(tmp, "nope")]);
  assert.equal(s.status, 2);
  assert.match(s.stderr, /--steps must be a non-negative integer/);
});
