// Workbench build time: the full site on a clean cache (every data loader runs, as on a fresh
// clone or CI) and again warm (loader outputs and bundles cached), against a one-page
// Framework site built the same way in the same run. Builds are slow, so one run each.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ratioLine, report, time } from "./lib.js";
import { makeProject, runBuild } from "../test/site/build-once.js";

const scratch = mkdtempSync(join(tmpdir(), "dreamface-bench-site-"));
try {
  // The peer gets only what any offline Framework build needs (the npm version seed).
  const peerConfig = 'import { seedNpmVersionCache } from "./scripts/offline-npm.js";\nseedNpmVersionCache("src");\nexport default { root: "src", globalStylesheets: [] };\n';
  const peerDir = makeProject(join(scratch, "peer"), { pages: { "index.md": "# Peer\n\n```js\ndisplay(1 + 1);\n```\n" }, config: peerConfig });
  const siteDir = makeProject(join(scratch, "site"));
  const build = async (dir: string) => {
    const r = await runBuild(dir);
    if (r.exitCode !== 0) throw new Error(`build of ${dir} failed:\n${r.log.slice(-3000)}`);
  };
  const peer = await time("one-page Framework site (clean)", () => build(peerDir), { runs: 1, warmup: 0 });
  const cold = await time("workbench (clean cache)", () => build(siteDir), { runs: 1, warmup: 0 });
  const warm = await time("workbench (warm cache)", () => build(siteDir), { runs: 1, warmup: 0 });
  const lines = [ratioLine("clean build", cold, peer), ratioLine("warm build", warm, peer)];
  report("site", { peer, cold, warm, lines });
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
