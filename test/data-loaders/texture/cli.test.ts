// The texture CLI commands: clear errors with exit 2 for bad input, and `dreamface edit`
// end to end on a small map (outside the mask the written pixels equal the input's).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodePng8, readPng } from "../../../data-loaders/io/png.js";
import { Rng } from "../../../src/engine/util/rng.js";
import { runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";

const root = tempDir("dreamface-texture-cli-");
const cli = (...args: string[]) => runCli(args, { DREAMFACE_TEST: "1" });

test("dreamface texture: a missing run folder exits 2 naming it", () => {
  const r = cli("texture", join(root, "no-such-run"));
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /dreamface: run folder not found: .*no-such-run/);
});

test("dreamface texture / ablate: bad flags exit 2 with the flag named", () => {
  const a = cli("texture", root, "--variant", "best");
  assert.equal(a.status, 2);
  assert.match(a.stderr, /--variant best: must be one of full, wo-texture, wo-lt/);
  const c = cli("ablate", root, "--variants", "full,nope");
  assert.equal(c.status, 2);
  assert.match(c.stderr, /unknown variant "nope"/);
});

test("dreamface edit: inpainting writes a PNG whose unmasked pixels equal the input's", () => {
  const S = 64;
  const img = new Rng(4).normals(S * S * 3).map((v) => Math.min(1, Math.max(0, 0.5 + 0.2 * v)));
  const mask = new Float32Array(S * S * 3);
  for (let y = 8; y < 40; y++) for (let x = 24; x < 56; x++) mask.fill(1, (y * S + x) * 3, (y * S + x) * 3 + 3);
  const input = join(root, "diffuse.png"), maskPath = join(root, "mask.png"), out = join(root, "edited.png");
  writeFileSync(input, encodePng8(img, S, S));
  writeFileSync(maskPath, encodePng8(mask, S, S));
  const r = cli("edit", input, "--prompt", "with freckles", "--mask", maskPath, "--strength", "0.4", "--steps", "10", "--out", out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /tiny profile — test signal, not a face/);
  const a = readPng(input), b = readPng(out), m = readPng(maskPath);
  let changed = 0;
  for (let p = 0; p < S * S; p++)
    for (let c = 0; c < 3; c++) {
      if (m.luminance[p] === 0) assert.equal(b.data[p * 3 + c], a.data[p * 3 + c], `unmasked pixel ${p} changed`);
      else if (b.data[p * 3 + c] !== a.data[p * 3 + c]) changed++;
    }
  assert.ok(changed > 1000, `only ${changed} masked values changed`);
});

test("dreamface edit: bad input exits 2 naming the problem", () => {
  const notPng = join(root, "x.png");
  writeFileSync(notPng, "not a png");
  const a = cli("edit", notPng, "--prompt", "p", "--out", join(root, "o.png"));
  assert.equal(a.status, 2);
  assert.match(a.stderr, /is not a readable PNG/);
  const b = cli("edit", join(root, "diffuse.png"), "--prompt", "p", "--strength", "1.5", "--out", join(root, "o.png"));
  assert.equal(b.status, 2);
  assert.match(b.stderr, /--strength must be in \(0, 1\]/);
});


test("dreamface edit on public weights only (no texture_unet): one line naming the role and the fix, exit 2, no stack", () => {
  const sd15 = join(root, "sd15-empty");
  mkdirSync(sd15, { recursive: true });
  const input = join(root, "public-diffuse.png"), out = join(root, "public-edit.png");
  writeFileSync(input, encodePng8(new Float32Array(16 * 16 * 3).fill(0.5), 16, 16));
  const r = runCli(["edit", input, "--prompt", "with freckles", "--profile", "sd15", "--out", out], { DREAMFACE_TEST: "1", DREAMFACE_SD15_DIR: sd15 });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /^dreamface: model file for role "\w+" not found: .*sd15-empty.*models pull sd15/);
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.ok(!existsSync(out));
});
