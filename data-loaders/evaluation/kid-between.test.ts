import { test, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { createNodeBackend } from "../models/backend-node.js";
import { imageFeatures } from "../../src/engine/metrics/features.js";
import { kid } from "../../src/engine/metrics/kid.js";
import { Rng } from "../../src/engine/util/rng.js";
import { UserError } from "../cli/errors.js";
import { TINY_LABEL } from "../run/index.js";
import { listPngs, readImage } from "./images.js";
import { kidBetween } from "./kid-between.js";
import { tempResults, writePngs } from "./fixtures.test-helpers.js";

const root = tempResults();
const backend = await createNodeBackend({ profile: "tiny" });
after(() => backend.dispose());
const a = join(root, "a"), a2 = join(root, "a2"), shifted = join(root, "shifted");
writePngs(a, 6, { size: 24 });
writePngs(a2, 6, { size: 24, seed: 100 });
writePngs(shifted, 6, { size: 24, offset: 0.45, seed: 200 });

test("kidBetween(dirA, dirB) equals kid() on features computed directly", async () => {
  const r = await kidBetween(a, a2, { backend, subsets: 20, seed: 5 });
  const fa = await imageFeatures(backend, listPngs(a).map(readImage));
  const fb = await imageFeatures(backend, listPngs(a2).map(readImage));
  const direct = kid(fa.data, fb.data, fa.dim, { subsetSize: 6, subsets: 20, rng: Rng.derive(5, "kid") });
  assert.equal(r.mean, direct.mean);
  assert.deepEqual(r.values, direct.values);
  assert.deepEqual(r.subsetSize, [6, 6]);
  assert.equal(r.label, TINY_LABEL);
});

test("kidBetween is ~0 for a folder against itself and larger for shifted images", async () => {
  const same = await kidBetween(a, a, { backend, subsetSize: 4 });
  const far = await kidBetween(a, shifted, { backend, subsetSize: 4 });
  assert.equal(same.values.length, 50);
  assert.ok(Math.abs(same.mean) < 0.2 * far.mean, `same ${same.mean} vs shifted ${far.mean}`);
  assert.ok(far.mean > 0, `shifted ${far.mean}`);
});

test("kidBetween errors: missing folder, empty folder, subset larger than a folder", async () => {
  await assert.rejects(kidBetween(join(root, "missing"), a, { backend }), (e: Error) => e instanceof UserError && /not found/.test(e.message));
  writePngs(join(root, "one"), 1, { size: 8 });
  await assert.rejects(kidBetween(join(root, "one"), a, { backend }), (e: Error) => e instanceof UserError && /at least 2/.test(e.message));
  await assert.rejects(kidBetween(a, a2, { backend, subsetSize: 7 }), (e: Error) => e instanceof UserError && /exceeds/.test(e.message));
});
