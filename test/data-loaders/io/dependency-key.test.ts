// Cached results (the default pool, demo runs behind pages) are keyed by the code and model
// files they depend on: changing a dependency changes the key (a new folder, never a stale
// result); changing an unrelated file does not.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { codeClosure, dependencyKey } from "../../../data-loaders/io/dependency-key.js";
import { cachedPoolDir, poolKey } from "../../../data-loaders/geometry/pool-default.js";
import { geometryDemoDir } from "../../../data-loaders/geometry/pages.js";
import { demoDir } from "../../../data-loaders/texture/pages.js";
import { projectRoot } from "../../../data-loaders/io/paths.js";
import { tempDir } from "../../helpers/tmp.js";

test("dependencyKey changes with an imported module, a model file or the settings; not with an unrelated file", () => {
  const root = tempDir("dreamface-depkey-");
  mkdirSync(join(root, "lib"));
  mkdirSync(join(root, "models"));
  writeFileSync(join(root, "entry.ts"), `import { b } from "./lib/b.js";\nexport const a = () => b;\n`);
  writeFileSync(join(root, "lib", "b.ts"), `export { c } from "./c.js";\nexport const b = 1;\n`);
  writeFileSync(join(root, "lib", "c.ts"), `export const c = await import("./d.js");\n`);
  writeFileSync(join(root, "lib", "d.ts"), `export const d = 4;\n`);
  writeFileSync(join(root, "unrelated.ts"), `export const u = 0;\n`);
  writeFileSync(join(root, "models", "unet.onnx"), "weights v1");
  const key = (settings: unknown = { steps: 20 }) => dependencyKey({ root, entries: [join(root, "entry.ts")], modelDirs: [join(root, "models")], settings });
  assert.deepEqual(codeClosure([join(root, "entry.ts")]).map((f) => basename(f)).sort(), ["b.ts", "c.ts", "d.ts", "entry.ts"]);
  const k0 = key();
  assert.match(k0, /^[0-9a-f]{12}$/);
  assert.equal(key(), k0, "deterministic");
  appendFileSync(join(root, "unrelated.ts"), "// edit\n");
  assert.equal(key(), k0, "an unrelated file leaves the key alone");
  appendFileSync(join(root, "lib", "d.ts"), "// edit\n");
  const k1 = key();
  assert.notEqual(k1, k0, "a module reached through re-export and dynamic import changes the key");
  writeFileSync(join(root, "models", "unet.onnx"), "weights v2, retrained");
  const k2 = key();
  assert.notEqual(k2, k1, "a model file changes the key");
  writeFileSync(join(root, "models", "vae.onnx"), "new file");
  assert.notEqual(key(), k2, "a new model file changes the key");
  assert.notEqual(key({ steps: 21 }), key(), "the settings change the key");
});

test("the default pool and the demo runs behind pages are keyed; their code closures reach the engine", () => {
  assert.match(cachedPoolDir("tiny", 64, 0), new RegExp(`pools/tiny-64-seed0-${poolKey("tiny")}$`));
  assert.match(geometryDemoDir(), /demo-runs\/geometry-carving-20-[0-9a-f]{12}$/);
  assert.match(demoDir("texture-demo", { a: 1 }), /demo-runs\/texture-demo-[0-9a-f]{12}$/);
  assert.notEqual(demoDir("texture-demo", { a: 1 }), demoDir("texture-demo", { a: 2 }));
  const geometry = codeClosure([join(projectRoot, "data-loaders", "geometry", "run.ts")]).map((f) => f.slice(projectRoot.length + 1));
  for (const dep of ["src/engine/raster/rasterize.ts", "src/engine/stages/geometry/carve.ts", "data-loaders/geometry/pool-build.ts"]) assert.ok(geometry.includes(dep), `${dep} is not in the geometry demo's key`);
  const pool = codeClosure([join(projectRoot, "data-loaders", "geometry", "pool-build.ts")]).map((f) => f.slice(projectRoot.length + 1));
  assert.ok(pool.includes("src/engine/stages/geometry/candidates.ts"));
});
