// Without Chromium, `npm test` fails at once with the install hint instead of hanging or
// spending minutes on work whose browser step must fail: the runner checks before the type
// check and before starting any test file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { projectRoot } from "../../data-loaders/io/paths.js";

const runner = join(projectRoot, "scripts", "run-tests.js");
const HINT = /DREAMFACE_CHROMIUM=\/nonexistent does not exist: install Chromium \(`apt-get install chromium`/;

function runTests(args: string[]): { status: number | null; output: string; seconds: number } {
  const t0 = performance.now();
  // The timeout only bounds a broken runner (it would otherwise start the whole suite).
  const r = spawnSync(process.execPath, [runner, ...args], { cwd: projectRoot, encoding: "utf8", timeout: 60_000, env: { ...process.env, DREAMFACE_CHROMIUM: "/nonexistent" } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`, seconds: (performance.now() - t0) / 1000 };
}

test("npm test with DREAMFACE_CHROMIUM=/nonexistent: exit 2 with the install hint in under a minute, no test file started", () => {
  const r = runTests([]);
  assert.equal(r.status, 2, r.output.slice(-2000));
  assert.match(r.output, HINT);
  assert.match(r.output, /nothing was run/);
  assert.doesNotMatch(r.output, /# Subtest|✔|✖/, "no test ran");
  assert.ok(r.seconds < 60, `${r.seconds.toFixed(1)} s`);
});

test("each browser-dependent test file alone (site browser, three.js peer, tracker, video, animate) also stops at once", () => {
  for (const file of ["test/site/browser.test.ts", "test/data-loaders/raster/three-peer.test.ts", "test/data-loaders/animation/track.test.ts", "test/data-loaders/animation/video.test.ts", "test/data-loaders/animation/animate.test.ts"]) {
    const r = runTests([file]);
    assert.equal(r.status, 2, `${file}: ${r.output.slice(-1000)}`);
    assert.match(r.output, HINT, file);
  }
});

test("a selection without browser-dependent files is not blocked by a missing Chromium", () => {
  const r = runTests(["test/data-loaders/cli/options.test.ts"]);
  assert.equal(r.status, 0, r.output.slice(-2000));
});
