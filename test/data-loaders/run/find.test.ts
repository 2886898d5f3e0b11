import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newestPath, stageRuns } from "../../../data-loaders/run/find.js";
import { tempDir } from "../../helpers/tmp.js";

test("stageRuns keeps the stage folders holding every marker; newestPath picks the latest modified existing one", () => {
  const results = tempDir("dreamface-find-");
  process.env.DREAMFACE_RESULTS_DIR = results;
  assert.deepEqual(stageRuns("geometry", "carved.obj"), [], "no runs folder yet");
  const make = (id: string, files: string[], mtime: number) => {
    const dir = join(results, "runs", id, "geometry");
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f), "x");
    utimesSync(dir, mtime, mtime);
    return dir;
  };
  const old = make("a", ["carved.obj", "manifest.json"], 1_000);
  const recent = make("b", ["carved.obj", "manifest.json"], 2_000);
  make("c", ["carved.obj"], 3_000); // unfinished: no manifest
  assert.deepEqual(stageRuns("geometry", "carved.obj", "manifest.json").sort(), [old, recent]);
  assert.equal(newestPath(stageRuns("geometry", "carved.obj", "manifest.json")), recent);
  assert.equal(newestPath([join(results, "missing"), old]), old);
  assert.equal(newestPath([]), undefined);
});
