// Without a browser, `animate` fails at once with the install hint: one line, exit 2, no hang
// (it used to start its loopback server first and never exit), nothing written.
import { test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runCliAsync } from "../../test/helpers/cli.js";
import { assetPath, astronaut, tmp } from "../../test/helpers/animation.js";

test("DREAMFACE_CHROMIUM=/nonexistent dreamface animate: one line naming the fix, exit 2, within seconds", async () => {
  const out = join(tmp, "no-browser.glb");
  const images = join(tmp, "no-browser-images");
  mkdirSync(images, { recursive: true });
  copyFileSync(astronaut, join(images, "a.png"));
  const t0 = performance.now();
  const r = await runCliAsync(["animate", assetPath, "--images", images, "--out", out, "--run-dir", join(tmp, "no-browser-run")], { DREAMFACE_CHROMIUM: "/nonexistent" });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /DREAMFACE_CHROMIUM=\/nonexistent does not exist: install Chromium \(`apt-get install chromium`/);
  assert.equal(r.stderr.trim().split("\n").length, 1, `one line, no stack: ${r.stderr}`);
  assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
  assert.ok(!existsSync(out));
});
