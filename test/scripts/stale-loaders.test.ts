import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { importClosure, invalidateStaleLoaderOutputs } from "../../scripts/stale-loaders.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("dreamface-stale-");

/** root/src with a loader → lib (outside src) → engine module; a cached output of the loader. */
function fixture(name: string) {
  const project = join(dir, name);
  const files = {
    loader: join(project, "src", "data", "thing.json.ts"),
    lib: join(project, "lib", "thing.ts"),
    engine: join(project, "src", "engine", "core.ts"),
    unrelated: join(project, "src", "engine", "other.ts"),
    output: join(project, "src", ".observablehq", "cache", "data", "thing.json"),
  };
  for (const f of Object.values(files)) mkdirSync(join(f, ".."), { recursive: true });
  writeFileSync(files.loader, 'import { thing } from "../../lib/thing.js";\nprocess.stdout.write(JSON.stringify(thing()));\n');
  writeFileSync(files.lib, 'export { core as thing } from "../src/engine/core.js";\n');
  writeFileSync(files.engine, "export const core = () => 1;\n");
  writeFileSync(files.unrelated, "export const other = 2;\n");
  writeFileSync(files.output, "1");
  const old = new Date(Date.now() - 60_000);
  for (const f of [files.loader, files.lib, files.engine, files.unrelated]) utimesSync(f, old, old);
  return { root: join(project, "src"), files };
}

test("importClosure follows relative imports, .js specifiers to .ts files, across folders", () => {
  const { files } = fixture("closure");
  assert.deepEqual(importClosure(files.loader).sort(), [files.engine, files.lib, files.loader].sort());
});

test("invalidateStaleLoaderOutputs keeps outputs newer than their code", () => {
  const { root, files } = fixture("fresh");
  const now = new Date();
  utimesSync(files.unrelated, now, now); // not imported by the loader
  assert.deepEqual(invalidateStaleLoaderOutputs(root), []);
  assert.ok(existsSync(files.output));
});

test("invalidateStaleLoaderOutputs deletes an output when a module two imports away changed", () => {
  const { root, files } = fixture("stale");
  const later = new Date(Date.now() + 5_000);
  utimesSync(files.engine, later, later);
  assert.deepEqual(invalidateStaleLoaderOutputs(root), [{ output: ".observablehq/cache/data/thing.json", because: "engine/core.ts" }]);
  assert.equal(existsSync(files.output), false);
});
