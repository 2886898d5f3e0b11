// The report pages built offline with two runs in results/: Framework's dynamicPaths (from
// observablehq.config.ts) must emit one page per run id. The no-runs case is covered by
// test/site (the whole site built from a clean clone with an empty results folder).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { projectRoot } from "../io/paths.js";
import { makeProject, runBuild } from "../../test/site/build-once.js";
import { writeFakeRuns } from "./fixtures.test-helpers.js";

const PAGES = ["runs.md", "runs/[id].md", "runs/[id].json.ts", "evaluation.md", "data/runs.json.ts", "data/evaluation.json.ts", "workbench.css", "components/capabilityPanel.ts", "components/testSignalBanner.ts", "components/payload.ts", "components/trajectoryPanels.ts"];

test("the report pages build offline with one page per run id", async () => {
  const pages = Object.fromEntries(PAGES.map((p) => [p, readFileSync(join(projectRoot, "src", p), "utf8")]));
  const dir = makeProject(join(tmpdir(), `dreamface-eval-site-${process.pid}`), { pages });
  try {
    writeFakeRuns(join(dir, "results"));
    const build = await runBuild(dir);
    assert.equal(build.exitCode, 0, build.log.slice(-3000));
    assert.deepEqual(readdirSync(join(dir, "dist", "runs")).filter((f) => f.endsWith(".html")).sort(), ["run-a.html", "run-b.html"]);
    assert.ok(existsSync(join(dir, "dist", "runs.html")) && existsSync(join(dir, "dist", "evaluation.html")));
    const runA = readdirSync(join(dir, "dist", "_file", "runs")).find((f) => f.startsWith("run-a."));
    const payload = JSON.parse(readFileSync(join(dir, "dist", "_file", "runs", runA!), "utf8")) as { label: string; stages: { key: string }[] };
    assert.equal(payload.label, "tiny profile — test signal, not a face");
    assert.deepEqual(payload.stages.map((s) => s.key), ["run-a/geometry"]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
