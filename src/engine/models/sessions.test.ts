import { test } from "node:test";
import assert from "node:assert/strict";
import { hasRole, outputDtype, sessionCache, valueInfos } from "./sessions.js";
import type { Backend, ModelSession } from "./backend.js";

type Fake = ModelSession & { release(): Promise<void>; released: boolean };

test("sessionCache opens each role once, forgets a failed open, and dispose releases what opened", async () => {
  const opened: string[] = [];
  let failNext = true;
  const cache = sessionCache<Fake>(async (role) => {
    opened.push(role);
    if (role === "bad" && failNext) {
      failNext = false;
      throw new Error("missing file");
    }
    const s: Fake = { role, inputs: [], outputs: [], run: async () => ({}), released: false, release: async () => void (s.released = true) };
    return s;
  });
  const [a, b] = await Promise.all([cache.session("unet"), cache.session("unet")]);
  assert.equal(a, b);
  await assert.rejects(cache.session("bad"), /missing file/);
  await new Promise((r) => setImmediate(r));
  const retried = await cache.session("bad");
  assert.deepEqual(opened, ["unet", "bad", "bad"]);
  await cache.dispose();
  assert.ok((a as Fake).released && (retried as Fake).released);
  assert.notEqual(await cache.session("unet"), a, "a disposed cache opens afresh");
});

test("valueInfos maps tensor metadata and marks the rest unknown; outputDtype rejects unsupported types", () => {
  const infos = valueInfos(
    [
      { name: "x", isTensor: true, type: "float32", shape: [1, "batch", 4] },
      { name: "m", isTensor: false },
    ],
    ["x", "m", "absent"],
  );
  assert.deepEqual(infos, [
    { name: "x", dtype: "float32", dims: [1, "batch", 4] },
    { name: "m", dtype: "unknown", dims: [] },
    { name: "absent", dtype: "unknown", dims: [] },
  ]);
  assert.equal(outputDtype("vae", "y", "int64"), "int64");
  assert.throws(() => outputDtype("vae", "y", "string"), /model "vae" output "y" has unsupported dtype string/);
});

test("hasRole is true for a role the backend opens and false for one it cannot", async () => {
  const backend = {
    session: async (role: string) => {
      if (role !== "unet") throw new Error(`model file for role "${role}" not found`);
      return { role, inputs: [], outputs: [], run: async () => ({}) };
    },
  } as unknown as Backend;
  assert.equal(await hasRole(backend, "unet"), true);
  assert.equal(await hasRole(backend, "upscale"), false);
});
