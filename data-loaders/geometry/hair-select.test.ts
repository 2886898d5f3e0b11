// `runHairSelection` on a geometry run folder: outputs, their validity and labels, same
// inputs → same bytes, clear refusals; and one pass through the real tiny CLIP graphs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { loadFaceModel } from "../face/load.js";
import { UserError } from "../cli/errors.js";
import { TINY_LABEL } from "../run/index.js";
import { runHairSelection } from "./hair-select.js";
import { faceObjMesh } from "../../src/engine/export/face-asset.js";
import { writeObj } from "../../src/engine/export/obj.js";
import { assertValidGlb } from "../../test/helpers/gltf-validate.js";
import type { ScoredRenders } from "../../src/engine/stages/geometry/hair/select.js";
import { tempDir as newTempDir } from "../../test/helpers/tmp.js";

const tempDir = () => newTempDir("dreamface-hairrun-");

const model = await loadFaceModel();
const carvedObj = writeObj(faceObjMesh(model, { identity: [1.5, -1, 0.5], region: "dreamface" }));

function runDir(prompt = "a woman with a red bob"): string {
  const dir = tempDir();
  writeFileSync(join(dir, "carved.obj"), carvedObj);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stage: "geometry", profile: "tiny", inputs: { prompt } }));
  return dir;
}
const prefer = (style: string, colour: string) => (r: ScoredRenders) => (r.name === (r.pass === "style" ? style : colour) ? 1 : r.images.length * 1e-3);

test("writes hair.glb (valid glTF), hair.obj, hair-scores.json and hair-front.png for the chosen style and colour", async () => {
  const dir = runDir();
  const r = await runHairSelection({ runDir: dir, scorer: prefer("bob", "red"), size: 48, quiet: true });
  assert.deepEqual([r.style, r.colour, r.label], ["bob", "red", TINY_LABEL]);
  for (const f of ["hair.glb", "hair.obj", "hair-scores.json", "hair-front.png"]) assert.ok(existsSync(join(dir, f)), f);
  const glb = new Uint8Array(readFileSync(join(dir, "hair.glb")));
  await assertValidGlb(glb, "hair.glb");
  const scores = JSON.parse(readFileSync(join(dir, "hair-scores.json"), "utf8"));
  assert.equal(scores.label, TINY_LABEL);
  assert.equal(scores.prompt, "a woman with a red bob");
  assert.equal(scores.styleScores.length, 9);
  assert.equal(scores.colourScores.length, 10);
  assert.equal(scores.styleScores.find((s: { name: string }) => s.name === "bob").score, 1);
  assert.ok(readFileSync(join(dir, "hair.obj"), "utf8").includes(TINY_LABEL));
});

test("same run, seed and scorer → the same bytes; bald writes no mesh", async () => {
  const a = runDir(), b = runDir();
  for (const dir of [a, b]) await runHairSelection({ runDir: dir, scorer: prefer("afro", "black"), seed: 3, size: 48, quiet: true });
  for (const f of ["hair.glb", "hair.obj", "hair-front.png"]) assert.ok(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f);
  const strip = (d: string) => ({ ...JSON.parse(readFileSync(join(d, "hair-scores.json"), "utf8")), ms: 0 });
  assert.deepEqual(strip(a), strip(b));
  const bald = runDir();
  const r = await runHairSelection({ runDir: bald, scorer: prefer("bald", "black"), size: 48, quiet: true });
  assert.deepEqual([r.style, r.colour], ["bald", null]);
  assert.ok(!existsSync(join(bald, "hair.glb")) && existsSync(join(bald, "hair-front.png")));
});

test("bad run folders and names are refused with UserError", async () => {
  const isUser = (pattern: RegExp) => (e: unknown) => e instanceof UserError && pattern.test(e.message);
  await assert.rejects(runHairSelection({ runDir: "/nonexistent/run", scorer: () => 0 }), isUser(/run folder not found/));
  const empty = tempDir();
  await assert.rejects(runHairSelection({ runDir: empty, scorer: () => 0 }), isUser(/no carved\.obj or coarse\.obj/));
  const small = tempDir();
  writeFileSync(join(small, "carved.obj"), "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
  await assert.rejects(runHairSelection({ runDir: small, scorer: () => 0 }), isUser(/has 3 vertices/));
  await assert.rejects(runHairSelection({ runDir: runDir(), style: "mullet", scorer: () => 0 }), isUser(/unknown hairstyle "mullet"/));
  await assert.rejects(runHairSelection({ runDir: runDir(), colour: "green", scorer: () => 0 }), isUser(/unknown hair colour "green"/));
});

test("tiny profile end to end: real CLIP graphs score every style and colour (test signals, labelled)", async () => {
  const { ensureTinyModels } = await import("../models/ensure-tiny.js");
  await ensureTinyModels();
  const dir = runDir("a man with an afro");
  const r = await runHairSelection({ runDir: dir, size: 48, quiet: true });
  assert.equal(r.label, TINY_LABEL);
  assert.equal(r.scores.styles.length, 9);
  assert.ok(r.scores.styles.every((s) => Number.isFinite(s.score) && Math.abs(s.score) <= 1));
  assert.equal(r.style, r.scores.styles.reduce((a, b) => (b.score > a.score ? b : a)).name);
  assert.ok(new Set(r.scores.styles.map((s) => s.score)).size > 1, "different hair should give different CLIP embeddings");
  const scores = JSON.parse(readFileSync(join(dir, "hair-scores.json"), "utf8"));
  assert.ok(Object.keys(scores.modelHashes).includes("clip_image"), JSON.stringify(Object.keys(scores.modelHashes)));
});
