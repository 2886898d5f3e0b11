// The workbench builds with the network blocked, every page lands in dist/, and nothing in
// dist/ points at a CDN. The block is proven by negative builds that must fail under it.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, sep } from "node:path";
import { after, before, test } from "node:test";
import { CDN_HOSTS } from "../../scripts/network-guard.js";
import { projectRoot, userCacheDir } from "../../data-loaders/io/paths.js";
import { buildSiteOnce, lastPage, listFiles, makeProject, offlineEnv, runBuild, type BuildResult } from "./build-once.js";

let site: BuildResult;
const scratch: string[] = [];
before(async () => {
  site = await buildSiteOnce();
  console.log(`observable build (clean cache, offline): ${site.seconds.toFixed(1)} s`);
}, { timeout: 16 * 60_000 });
after(() => scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dreamface-negative-"));
  scratch.push(dir);
  return dir;
}

test("observable build succeeds offline on a clean cache", () => {
  assert.equal(site.exitCode, 0, `build failed at ${lastPage(site.log)}:\n${site.log.slice(-6000)}`);
  assert.doesNotMatch(site.log, /network blocked/, "something tried to reach the network during the build");
});

test("the build ran with an empty DREAMFACE_CACHE_DIR of its own, which the loaders filled", () => {
  const cache = resolve(site.cache.dir);
  assert.ok(cache.startsWith(resolve(site.project) + sep), `cache ${cache} is not inside the throwaway project`);
  assert.notEqual(cache, userCacheDir(), "the build used the developer's cache");
  assert.deepEqual(site.cache.before, [], "the cache was not empty when the build started");
  // Loaders that cache (face data, pools, demo runs) wrote here, so they took their cold path.
  assert.ok(site.cache.after.length > 0, "no loader wrote to the build's cache: it was not the one they used");
});

test("every page in src/ is built into dist/", () => {
  assert.equal(site.exitCode, 0, "the build failed (see the first test)");
  const pages = listFiles(join(projectRoot, "src"))
    .filter((f) => f.endsWith(".md") && !f.startsWith(".observablehq/") && !/\[.*\]/.test(f))
    .map((f) => f.replace(/\.md$/, ".html"));
  assert.ok(pages.includes("face.html"), "src/face.md is missing");
  const built = new Set(listFiles(site.dist));
  assert.deepEqual(pages.filter((p) => !built.has(p)), [], "pages missing from dist/");
});

test("no built file references a CDN or an npm: import", () => {
  assert.equal(site.exitCode, 0, "the build failed (see the first test)");
  const files = listFiles(site.dist);
  assert.deepEqual(files.filter((f) => f.startsWith("_npm/") || f.startsWith("_jsr/")), [], "CDN-fetched modules in dist/");
  const offenders: string[] = [];
  for (const file of files.filter((f) => /\.(html|js|css|json|map)$/.test(f))) {
    const text = readFileSync(join(site.dist, file), "utf8");
    for (const host of CDN_HOSTS) if (text.includes(host)) offenders.push(`${file}: ${host}`);
  }
  assert.deepEqual(offenders, []);
});

test("the offline block is real: a page importing npm:d3 fails to build under it", async () => {
  // A bare config, so only the preload can be what stops it.
  const project = makeProject(scratchDir(), {
    pages: { "index.md": '# npm\n\n```js\nimport * as d3 from "npm:d3";\ndisplay(d3.range(3));\n```\n' },
    config: 'export default {root: "src"};\n',
  });
  const result = await runBuild(project, offlineEnv(project));
  assert.notEqual(result.exitCode, 0, "an npm: import built with the network blocked");
  assert.match(result.log, /network blocked \(offline build\): https:\/\/registry\.npmjs\.org\/d3/);
});

test("the project config rejects CDN imports even when online (implicit Plot global)", async () => {
  const project = makeProject(scratchDir(), {
    pages: { "index.md": "# implicit\n\n```js\ndisplay(Plot.dot([1, 2]).plot());\n```\n" },
  });
  const { NODE_OPTIONS: _, ...online } = offlineEnv(project);
  const result = await runBuild(project, online);
  assert.notEqual(result.exitCode, 0, "a page using the implicit Plot global built");
  assert.match(result.log, /a page tried to fetch https:\/\/\S*@observablehq\/plot/);
  assert.match(result.log, /import \* as Plot from "@observablehq\/plot"/, "the error should say how to fix it");
});
