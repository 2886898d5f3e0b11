// scripts/watch-results.js: the loaders it touches exist, and a write under results/ bumps their mtime (so Framework's preview reruns them) while
// checkpoint churn does not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RESULTS_LOADERS, watchResults } from "../../scripts/watch-results.js";
import { tempDir } from "../helpers/tmp.js";

test("every watched loader exists in src/", () => {
  for (const rel of RESULTS_LOADERS) assert.ok(existsSync(join("src", rel)), `src/${rel} is listed in scripts/watch-results.js but does not exist`);
});

test("a new run under results/ bumps the watched loaders' mtime; checkpoints do not", async () => {
  const root = tempDir("watch-root-");
  const results = tempDir("watch-results-");
  for (const rel of RESULTS_LOADERS) {
    mkdirSync(join(root, rel, ".."), { recursive: true });
    writeFileSync(join(root, rel), "// loader\n");
    utimesSync(join(root, rel), new Date(1000), new Date(1000));
  }
  const touches: string[][] = [];
  const stop = watchResults(root, results, { intervalMs: 100, onTouch: (t) => touches.push(t) });
  try {
    mkdirSync(join(results, "runs", "r1", "geometry", "checkpoints"), { recursive: true });
    await new Promise((r) => setTimeout(r, 300));
    touches.length = 0;
    writeFileSync(join(results, "runs", "r1", "geometry", "checkpoints", "step-000010.ckpt"), "x");
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(touches.length, 0, "a checkpoint write touched the loaders");
    writeFileSync(join(results, "runs", "r1", "geometry", "manifest.json"), "{}");
    await new Promise((r) => setTimeout(r, 600));
    assert.equal(touches.length, 1);
    for (const rel of RESULTS_LOADERS) assert.ok(statSync(join(root, rel)).mtimeMs > 1e12, `${rel} was not touched`);
  } finally {
    stop();
  }
});
