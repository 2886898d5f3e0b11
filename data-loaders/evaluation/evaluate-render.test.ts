// evaluateRun on a real (tiny, 2-step) geometry run: no renders/ folder, so it renders the
// carved mesh from the three ranking views itself.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createNodeBackend } from "../models/backend-node.js";
import { runGeometryStage } from "../geometry/run.js";
import { readImage } from "./images.js";
import { evaluateRun } from "./evaluate.js";
import { EVAL_RENDER_SIZE } from "./renders.js";
import { tempResults } from "./fixtures.test-helpers.js";

const results = tempResults();
const backend = await createNodeBackend({ profile: "tiny" });
after(() => backend.dispose());

test("evaluateRun renders a finished geometry run from the ranking views and scores them", async () => {
  const out = join(results, "runs", "r1", "geometry");
  const run = await runGeometryStage({ prompt: "a man with a long square jaw", profile: "tiny", steps: 2, out, backend, quiet: true });
  assert.ok(run.complete);
  const r = await evaluateRun(out, { backend });
  const m = r.metrics.metrics.clip_score!;
  assert.equal(m.imageSource, "rendered");
  assert.deepEqual(m.images, ["evaluation/views/front.png", "evaluation/views/left.png", "evaluation/views/right.png"]);
  assert.ok(r.clipScore >= -1 && r.clipScore <= 1 && Number.isFinite(r.clipScore));
  // The views differ (three cameras) and show the mesh, not an empty white frame.
  const views = (m.images as string[]).map((f) => readImage(join(out, f)));
  assert.equal(views[0]!.width, EVAL_RENDER_SIZE);
  for (const v of views) assert.ok(v.data.some((x) => x < 0.9), "a view is blank");
  assert.notDeepEqual(views[0]!.data, views[1]!.data);
  assert.ok(existsSync(join(out, "metrics.json")));
  // Deterministic: a second evaluation gives the same score.
  assert.equal((await evaluateRun(out, { backend })).clipScore, r.clipScore);
});
