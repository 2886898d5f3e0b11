import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, rmSync, symlinkSync, utimesSync, writeFileSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { faceCacheDir, lastFaceLoadInfo, loadFaceModel } from "../../../data-loaders/face/load.js";
import { resolveIctDir } from "../../../data-loaders/face/source.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { sharedIctDir } from "../../helpers/ict-files.js";
import { tempDir } from "../../helpers/tmp.js";

const ict = sharedIctDir();

/** Runs `fn` with some environment variables replaced, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T> | T): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
  }
}

test("loadFaceModel parses once, then serves the binary cache with identical data", async () => {
  const cache = tempDir("dreamface-face-cache-");
  await withEnv({ DREAMFACE_CACHE_DIR: cache, DREAMFACE_ICT_DIR: ict }, async () => {
    const cold = await loadFaceModel();
    assert.equal(lastFaceLoadInfo()?.from, "parsed");
    assert.equal(lastFaceLoadInfo()?.origin, "DREAMFACE_ICT_DIR");
    assert.equal(readdirSync(faceCacheDir()).filter((f) => f.endsWith(".dffm")).length, 1);
    const warm = await loadFaceModel();
    assert.equal(lastFaceLoadInfo()?.from, "cache");
    assert.deepEqual(warm.neutral, cold.neutral);
    assert.deepEqual(warm.identityModes[42], cold.identityModes[42]);
    assert.deepEqual(warm.expressionNames, cold.expressionNames);
    assert.deepEqual(warm.regions.dreamface.triangles, cold.regions.dreamface.triangles);
    // A corrupt cache file is rebuilt, not trusted.
    const file = join(faceCacheDir(), readdirSync(faceCacheDir()).find((f) => f.endsWith(".dffm"))!);
    writeFileSync(file, "garbage");
    const rebuilt = await loadFaceModel();
    assert.equal(lastFaceLoadInfo()?.from, "parsed");
    assert.deepEqual(rebuilt.neutral, cold.neutral);
  });
});

test("plain .obj files read the same as .obj.gz; editing a file re-parses and prunes the stale cache entry", async () => {
  const dir = tempDir("dreamface-ict-plain-");
  const cache = tempDir("dreamface-face-cache-");
  for (const f of readdirSync(ict)) symlinkSync(join(ict, f), join(dir, f));
  // The neutral mesh and one identity uncompressed; the rest stay gzipped.
  for (const f of ["generic_neutral_mesh.obj", "identity005.obj"]) {
    rmSync(join(dir, `${f}.gz`));
    writeFileSync(join(dir, f), gunzipSync(readFileSync(join(ict, `${f}.gz`))));
  }
  const plain = await withEnv({ DREAMFACE_CACHE_DIR: cache }, async () => {
    const m = await loadFaceModel({ dir });
    assert.equal(lastFaceLoadInfo()?.from, "parsed");
    assert.equal(readdirSync(faceCacheDir()).length, 1);
    // Editing a source file (new mtime) invalidates the cache; the stale entry is pruned.
    const first = lastFaceLoadInfo()!.cachePath;
    utimesSync(join(dir, "identity005.obj"), new Date(), new Date(Date.now() + 5000));
    await loadFaceModel({ dir });
    assert.equal(lastFaceLoadInfo()?.from, "parsed");
    assert.notEqual(lastFaceLoadInfo()!.cachePath, first);
    assert.deepEqual(readdirSync(faceCacheDir()), [basename(lastFaceLoadInfo()!.cachePath)]);
    return m;
  });
  const fromGz = await loadFaceModel({ dir: ict }); // the regular cache: usually warm
  assert.deepEqual(plain.neutral, fromGz.neutral);
  assert.deepEqual(plain.identityModes[5], fromGz.identityModes[5]);
  assert.deepEqual(plain.polygonUvs, fromGz.polygonUvs);
});

test("resolution order: explicit dir, DREAMFACE_ICT_DIR, user cache, ../shared; errors say how to get the model", async () => {
  const empty = tempDir("dreamface-empty-");
  await withEnv({ DREAMFACE_ICT_DIR: undefined, DREAMFACE_CACHE_DIR: empty, DREAMFACE_SHARED_DIR: join(ict, "..", "..") }, () => {
    assert.deepEqual(resolveIctDir(), { dir: ict, origin: "shared" });
  });
  await withEnv({ DREAMFACE_ICT_DIR: empty, DREAMFACE_CACHE_DIR: empty }, async () => {
    assert.throws(() => resolveIctDir(), /DREAMFACE_ICT_DIR=.* is not an ICT-FaceKit FaceXModel folder/);
    await assert.rejects(loadFaceModel(), (e: Error) => e instanceof UserError && /not an ICT-FaceKit/.test(e.message));
  });
  await withEnv({ DREAMFACE_ICT_DIR: undefined, DREAMFACE_CACHE_DIR: empty, DREAMFACE_SHARED_DIR: empty }, () => {
    assert.throws(() => resolveIctDir(), /was not found.*dreamface setup/);
  });
  assert.throws(() => resolveIctDir(empty), /is not an ICT-FaceKit FaceXModel folder/);
});

test("a folder with a missing identity file fails with the file's name", async () => {
  const dir = tempDir("dreamface-ict-partial-");
  const cache = tempDir("dreamface-face-cache-");
  for (const f of readdirSync(ict)) if (f !== "identity077.obj.gz") symlinkSync(join(ict, f), join(dir, f));
  await withEnv({ DREAMFACE_CACHE_DIR: cache }, async () => {
    await assert.rejects(loadFaceModel({ dir }), /identity077\.obj\[\.gz\] is missing.*dreamface setup/);
  });
  assert.deepEqual(readdirSync(cache), [], "nothing cached for a failed parse");
});
