// The texture stage in Node: a run interrupted between checkpoints and resumed writes the same
// files as an uninterrupted one; outputs are labelled; the .glb validates; bad input fails clearly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { createNodeBackend } from "../../../data-loaders/models/backend-node.js";
import { meanFaceGeometry, readGeometryRun } from "../../../data-loaders/texture/geometry-input.js";
import { runTextureStage } from "../../../data-loaders/texture/run.js";
import { readPng } from "../../../data-loaders/io/png.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { TINY_LABEL } from "../../../data-loaders/run/index.js";
import { assertValidGlb } from "../../helpers/gltf-validate.js";
import { tempDir } from "../../helpers/tmp.js";
import { filesOf } from "../../helpers/files.js";

process.env.DREAMFACE_TEST = "1";
const root = tempDir("dreamface-texture-");
const backend = await createNodeBackend({ profile: "tiny" });
const geometry = await meanFaceGeometry("a test signal face", "tiny");
const overrides = {
  latent: { steps: 3 },
  image: { steps: 3, renderSize: 64 },
  pbr: { size: 128, glbTextureSize: 64 },
  checkpointEvery: 2,
  snapshotEvery: 3,
};

const files = (dir: string) => filesOf(dir);

test("runTextureStage: stopped mid-run (past its last checkpoint) and resumed → byte-identical files", async () => {
  const a = join(root, "uninterrupted"), b = join(root, "resumed");
  const full = await runTextureStage({ geometry, out: a, overrides, backend, quiet: true });
  assert.ok(full.complete);
  const part = await runTextureStage({ geometry, out: b, overrides, backend, quiet: true, stopAfter: 3 });
  assert.equal(part.complete, false);
  assert.equal(part.stepsDone, 3); // checkpoint at step 2: step 3 is redone on resume
  const rest = await runTextureStage({ geometry, out: b, overrides, backend, quiet: true });
  assert.ok(rest.complete);
  const fa = files(a), fb = files(b);
  fa.delete("manifest.json");
  fb.delete("manifest.json"); // dates and timings differ by design
  assert.deepEqual([...fb.keys()].sort(), [...fa.keys()].sort());
  for (const [name, bytes] of fa) assert.ok(bytes.equals(fb.get(name)!), `${name} differs after resume`);
  for (const name of ["diffuse.png", "specular.png", "normal.png", "asset.glb", "trajectory.parquet", "latent.f32"]) assert.ok(fa.has(name), `${name} missing`);
  // Running a finished folder again rewrites nothing.
  const before = statSync(join(a, "asset.glb")).mtimeMs;
  const again = await runTextureStage({ geometry, out: a, overrides, backend, quiet: true });
  assert.ok(again.complete);
  assert.equal(statSync(join(a, "asset.glb")).mtimeMs, before);
});

test("runTextureStage: maps have the configured size and depth, the manifest is labelled, the .glb validates", async () => {
  const dir = join(root, "uninterrupted");
  const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
  assert.equal(manifest.label, TINY_LABEL);
  assert.equal(manifest.stage, "texture");
  assert.match(manifest.pbr.normalBlend, /RNM/);
  assert.equal(manifest.vaeGradient, "exact VJP graphs");
  for (const name of ["diffuse", "specular", "normal"]) {
    const png = readPng(join(dir, `${name}.png`));
    // An atlas of two 128² tiles: the face, then ICT's head and neck.
    assert.deepEqual([png.width, png.height], [256, 128]);
  }
  assert.equal(readFileSync(join(dir, "normal.png"))[24], 16, "normal.png must be 16-bit"); // IHDR bit depth
  assert.equal(readFileSync(join(dir, "diffuse.png"))[24], 8);
  const rows = readFileSync(join(dir, "trajectory.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => r.stage), ["latent", "latent", "latent", "image", "image", "image"]);
  // One descent 0.98T → 0 over both stages (paper Sec. 5.2.1; the default `descent`).
  assert.deepEqual(rows.map((r) => r.t), [980, 784, 588, 392, 196, 0]);
  for (const r of rows) assert.ok(r.loss_g > 0 && r.loss_tau > 0 && r.grad_norm > 0);
  const glb = new Uint8Array(readFileSync(join(dir, "asset.glb")));
  await assertValidGlb(glb);
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + new DataView(glb.buffer, glb.byteOffset).getUint32(12, true))));
  assert.equal(json.meshes[0].extras.targetNames.length, 53);
  assert.equal(json.images.length, 3);
  assert.equal(json.asset.extras.label, TINY_LABEL);
});

test("runTextureStage: the wo-lt ablation runs image-space SDS only, generic path only", async () => {
  const r = await runTextureStage({ geometry, out: join(root, "wo-lt"), overrides: { ...overrides, variant: "wo-lt" }, backend, quiet: true });
  const rows = readFileSync(join(r.dir, "trajectory.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 6);
  assert.ok(rows.every((row) => row.stage === "image" && row.lambda_tau === 0 && row.loss_tau === undefined && row.loss_g > 0));
});

test("texture inputs: a missing or unfinished geometry folder is a UserError naming the problem", async () => {
  await assert.rejects(readGeometryRun(join(root, "nope")), (e: unknown) => e instanceof UserError && /not found/.test((e as Error).message));
  await assert.rejects(readGeometryRun(join(root, "uninterrupted")), (e: unknown) => e instanceof UserError && /"texture" run, not a geometry run/.test((e as Error).message));
  await assert.rejects(
    runTextureStage({ geometry, out: join(root, "uninterrupted"), overrides: { ...overrides, latent: { steps: 5 } }, backend, quiet: true }),
    (e: unknown) => e instanceof UserError && /different settings/.test((e as Error).message),
  );
  await assert.rejects(runTextureStage({ geometry, out: join(root, "bad"), overrides: { lambdaGeneric: "big" }, backend, quiet: true }), /texture\.lambdaGeneric/);
});

test.after(() => backend.dispose());
