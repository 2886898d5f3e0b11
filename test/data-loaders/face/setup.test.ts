import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { ICT_RAW_BASE, runSetup } from "../../../data-loaders/face/setup.js";
import { ICT_SHA256 } from "../../../data-loaders/face/checksums.js";
import { looksLikeIctDir } from "../../../data-loaders/face/source.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { sharedIctDir } from "../../helpers/ict-files.js";
import { tempDir } from "../../helpers/tmp.js";

const ict = sharedIctDir();
const tmp = () => tempDir("dreamface-setup-");

test("the checksum list covers the whole FaceXModel folder (neutral, 100 identities, 55 expressions, json, mtl)", () => {
  const names = Object.keys(ICT_SHA256);
  assert.equal(names.length, 160);
  assert.ok(names.includes("generic_neutral_mesh.obj") && names.includes("identity099.obj") && names.includes("vertex_indices.json"));
  assert.ok(Object.values(ICT_SHA256).every((h) => /^[0-9a-f]{64}$/.test(h)));
});

test("setup --from verifies the shared .obj.gz files and links them into place; a second run is a no-op", async () => {
  const root = tmp();
  const dest = join(root, "FaceXModel");
  const r = await runSetup({ from: ict, link: true, dest });
  assert.equal(r.files, 160);
  assert.ok(looksLikeIctDir(dest));
  assert.ok(lstatSync(join(dest, "identity042.obj.gz")).isSymbolicLink());
  assert.equal(readdirSync(root).length, 1, "no staging folder left behind");
  assert.equal((await runSetup({ from: ict, link: true, dest })).alreadyDone, true);
});

test("setup --from refuses a folder with a missing or altered file and leaves nothing behind", async () => {
  const root = tmp();
  const src = join(root, "src");
  const dest = join(root, "out", "FaceXModel");
  await runSetup({ from: join(root, "nope"), dest }).then(
    () => assert.fail("expected an error"),
    (e: Error) => assert.match(e.message, /--from .*nope: no such folder/),
  );
  mkdirSync(src);
  for (const f of readdirSync(ict)) if (f !== "browDown_L.obj.gz") symlinkSync(join(ict, f), join(src, f));
  await assert.rejects(runSetup({ from: src, dest }), (e: Error) => e instanceof UserError && /missing 1 file\(s\).*browDown_L\.obj/.test(e.message));
  // Present but not the upstream bytes (e.g. a re-exported mesh): checksum mismatch, named.
  writeFileSync(join(src, "browDown_L.obj.gz"), gzipSync("v 0 0 0\n"));
  await assert.rejects(runSetup({ from: src, dest }), /checksum mismatch for browDown_L\.obj/);
  assert.equal(existsSync(dest), false);
  assert.deepEqual(readdirSync(join(root, "out")), [], "the staging folder was removed");
});

test("a failed download gives a clear error that suggests --from, and writes nothing", async () => {
  const root = tmp();
  const dest = join(root, "FaceXModel");
  const offline = async (): Promise<Response> => {
    throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
  };
  await assert.rejects(runSetup({ dest, fetch: offline }), (e: Error) => e instanceof UserError && /could not download https:\/\/raw\.githubusercontent\.com\/ICT-VGL\/ICT-FaceKit\/da5f95a.*ENOTFOUND.*setup --from DIR/.test(e.message));
  const urls: string[] = [];
  const notFound = async (url: string) => (urls.push(url), new Response("nope", { status: 404, statusText: "Not Found" }));
  await assert.rejects(runSetup({ dest, fetch: notFound }), /HTTP 404 Not Found/);
  assert.ok(urls.every((u) => u.startsWith(ICT_RAW_BASE + "/")));
  assert.ok(urls.length <= 6, "no new downloads start after the first failure");
  const tampered = async () => new Response("not the file");
  await assert.rejects(runSetup({ dest, fetch: tampered }), /checksum mismatch/);
  assert.deepEqual(readdirSync(root), []);
});

test("a successful download (fetch served from the shared copy) verifies every file and stores the OBJs gzipped", async () => {
  const root = tmp();
  const dest = join(root, "FaceXModel");
  const served: string[] = [];
  const mirror = async (url: string) => {
    const name = url.slice(ICT_RAW_BASE.length + 1);
    served.push(name);
    const gz = join(ict, `${name}.gz`);
    return new Response(existsSync(gz) ? gunzipSync(readFileSync(gz)) : readFileSync(join(ict, name)));
  };
  const r = await runSetup({ dest, fetch: mirror });
  assert.equal(r.files, 160);
  assert.equal(served.length, 160);
  assert.ok(looksLikeIctDir(dest));
  assert.deepEqual(gunzipSync(readFileSync(join(dest, "identity042.obj.gz"))), gunzipSync(readFileSync(join(ict, "identity042.obj.gz"))));
  assert.ok(existsSync(join(dest, "vertex_indices.json")));
  assert.equal(readdirSync(root).length, 1, "no staging folder left behind");
});
