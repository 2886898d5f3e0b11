import { test, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createNodeBackend } from "../models/backend-node.js";
import { TINY_LABEL } from "../run/index.js";
import { UserError } from "../cli/errors.js";
import { applyTemplate, evaluateRun } from "./evaluate.js";
import { tempResults, writeFakeRuns } from "./fixtures.test-helpers.js";

const results = tempResults();
const backend = await createNodeBackend({ profile: "tiny" });
after(() => backend.dispose());
const { geometry, texture } = writeFakeRuns(results);

test("evaluateRun(runDir, {backend}) on the tiny profile writes a finite CLIP score in [-1, 1], labelled", async () => {
  const r = await evaluateRun(geometry, { backend });
  assert.ok(Number.isFinite(r.clipScore) && r.clipScore >= -1 && r.clipScore <= 1, `score ${r.clipScore}`);
  const file = JSON.parse(readFileSync(join(geometry, "metrics.json"), "utf8"));
  assert.equal(file.label, TINY_LABEL);
  assert.equal(file.metrics.clip_score.value, r.clipScore);
  assert.equal(file.metrics.clip_score.values.length, 3);
  assert.equal(file.metrics.clip_score.imageSource, "renders");
  assert.equal(file.metrics.clip_score.text, "the realistic face of an old sailor");
});

test("evaluateRun is deterministic: same run → byte-identical metrics.json", async () => {
  await evaluateRun(geometry, { backend });
  const a = readFileSync(join(geometry, "metrics.json"), "utf8");
  await evaluateRun(geometry, { backend });
  assert.equal(readFileSync(join(geometry, "metrics.json"), "utf8"), a);
});

test("evaluateRun's text template changes the scored text and the score", async () => {
  const plain = (await evaluateRun(geometry, { backend })).clipScore;
  const r = await evaluateRun(geometry, { backend, template: "the realistic face of {prompt}, studio photo" });
  assert.equal(r.metrics.metrics.clip_score!.text, "the realistic face of the realistic face of an old sailor, studio photo");
  assert.notEqual(r.clipScore, plain);
  assert.throws(() => applyTemplate("no placeholder", "x"), UserError);
});

test("evaluateRun --images scores another folder and --prompt replaces the run's prompt", async () => {
  const r = await evaluateRun(texture, { backend, images: join(geometry, "renders"), prompt: "a young woman with freckles" });
  assert.equal(r.metrics.metrics.clip_score!.imageSource, "folder");
  assert.equal(r.metrics.metrics.clip_score!.text, "a young woman with freckles");
  // Same images and text as scoring the geometry run with that prompt.
  assert.equal((await evaluateRun(geometry, { backend, prompt: "a young woman with freckles" })).clipScore, r.clipScore);
  rmSync(join(texture, "metrics.json"));
});

test("evaluateRun errors name the problem: missing folder, no manifest, nothing to score", async () => {
  await assert.rejects(evaluateRun(join(results, "nope"), { backend }), (e: Error) => e instanceof UserError && /run folder not found/.test(e.message));
  await assert.rejects(evaluateRun(results, { backend }), (e: Error) => e instanceof UserError && /no manifest\.json/.test(e.message));
  // An unfinished texture run has no renders, no diffuse map and no render snapshots.
  await assert.rejects(evaluateRun(texture, { backend }), (e: Error) => e instanceof UserError && /nothing to score/.test(e.message));
});
