import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { OFFLINE_VERSION, frameworkClientNpmImports, seedNpmVersionCache } from "../../scripts/offline-npm.js";
import { tempDir } from "../helpers/tmp.js";

const dir = tempDir("dreamface-npmseed-");

test("frameworkClientNpmImports finds the libraries Framework's client imports lazily", () => {
  const names = frameworkClientNpmImports();
  for (const name of ["react-dom", "d3", "@observablehq/plot", "htl", "apache-arrow"]) assert.ok(names.includes(name), name);
  assert.ok(names.every((n) => /^(@[\w.-]+\/)?[\w.-]+$/.test(n)), `malformed: ${names.filter((n) => !/^(@[\w.-]+\/)?[\w.-]+$/.test(n))}`);
});

test("seedNpmVersionCache adds a sentinel version only where the cache has none", () => {
  const cache = join(dir, ".observablehq", "cache", "_npm");
  mkdirSync(join(cache, "d3@7.9.0"), { recursive: true });
  mkdirSync(join(cache, "@observablehq", "plot@0.6.16"), { recursive: true });
  const seeded = seedNpmVersionCache(dir);
  assert.ok(!seeded.includes("d3") && !seeded.includes("@observablehq/plot"));
  assert.deepEqual(readdirSync(cache).filter((d) => d.startsWith("d3@")), ["d3@7.9.0"]);
  assert.ok(existsSync(join(cache, `react-dom@${OFFLINE_VERSION}`)));
  assert.ok(existsSync(join(cache, "@observablehq", `inputs@${OFFLINE_VERSION}`)));
  assert.deepEqual(seedNpmVersionCache(dir), [], "a second call has nothing left to seed");
});
