// `dreamface hair`, run as a user would: a child process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../../helpers/cli.js";
import { loadFaceModel } from "../../../data-loaders/face/load.js";
import { faceObjMesh } from "../../../src/engine/export/face-asset.js";
import { writeObj } from "../../../src/engine/export/obj.js";
import { tempDir } from "../../helpers/tmp.js";

const out = tempDir("dreamface-hair-cli-");

const dreamface = (...args: string[]) => runCli(args, { DREAMFACE_HAIR_DIR: join(out, "no-library") });

test("--list prints every style and colour", () => {
  const r = dreamface("hair", "--list");
  assert.equal(r.status, 0, r.stderr);
  for (const name of ["bald", "buzz cut", "bob", "long straight", "afro", "auburn", "platinum"]) assert.ok(r.stdout.includes(name), name);
});

test("fixed style and colour write the hair files without scoring; bad input exits 2 with the reason", async () => {
  const model = await loadFaceModel();
  writeFileSync(join(out, "carved.obj"), writeObj(faceObjMesh(model, { region: "dreamface" })));
  writeFileSync(join(out, "manifest.json"), JSON.stringify({ stage: "geometry", profile: "tiny", inputs: { prompt: "a man with a ponytail" } }));
  const r = dreamface("hair", out, "--style", "ponytail", "--colour", "grey");
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /hair: ponytail, grey/);
  assert.match(r.stdout, /test signal, not a face/);
  const scores = JSON.parse(readFileSync(join(out, "hair-scores.json"), "utf8"));
  assert.deepEqual([scores.style, scores.colour, scores.styleScores.length], ["ponytail", "grey", 0]);

  const bad = dreamface("hair", out, "--style", "mullet");
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^dreamface: unknown hairstyle "mullet"; known: bald, buzz cut/);
  const missing = dreamface("hair", join(out, "nope"));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /run folder not found/);
  assert.equal(dreamface("hair", out, "--seed", "-1").status, 2);
});
