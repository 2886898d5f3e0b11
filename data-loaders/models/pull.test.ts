// pull against a loopback server shaped like the Hub: /<repo>/resolve/<rev>/<path> answers
// 302 with X-Linked-Etag (the LFS sha256), the CDN URL serves bytes and honours Range.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { existsSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { RemoteFile } from "../../models/cards/types.js";
import { runCliAsync } from "../../test/helpers/cli.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { sha256 } from "../io/hash.js";
import { pullFiles, PullError, remoteFiles } from "./pull.js";

const good = new Uint8Array(50_000).map((_, i) => (i * 31 + 7) & 0xff);
const sha = sha256(good);
const requests: { url: string; range?: string }[] = [];
let corrupt = false;

const server = createServer((req: IncomingMessage, res) => {
  requests.push({ url: req.url ?? "", ...(req.headers.range ? { range: req.headers.range } : {}) });
  if (/^\/[^/]+\/[^/]+\/resolve\/main\//.test(req.url ?? "")) {
    res.writeHead(302, { location: `/cdn/${(req.url ?? "").split("/").pop()}`, "x-linked-etag": `"${sha}"` });
    return res.end();
  }
  if (req.url?.startsWith("/cdn/")) {
    const body = corrupt ? good.map((b, i) => (i === 1000 ? b ^ 1 : b)) : good;
    const m = /bytes=(\d+)-/.exec(req.headers.range ?? "");
    if (m) {
      const from = Number(m[1]);
      res.writeHead(206, { "content-length": body.length - from, "content-range": `bytes ${from}-${body.length - 1}/${body.length}` });
      return res.end(Buffer.from(body.subarray(from)));
    }
    res.writeHead(200, { "content-length": body.length });
    return res.end(Buffer.from(body));
  }
  res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
server.unref(); // Never keeps the test process alive.
const stopper = setTimeout(() => server.close(), 30_000);
stopper.unref();
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const root = tempDir("pull-");
after(() => server.close());

const file: RemoteFile = { path: "unet/model.onnx", repo: "org/repo", repoPath: "model.onnx", revision: "main", approxBytes: good.length };

test("pull downloads, verifies the Hub's sha256 and records it in manifest.json", async () => {
  const dir = join(root, "ok");
  const seen: number[] = [];
  const files = await pullFiles({ dir, files: [file], baseUrl: base, onProgress: (p) => seen.push(p.received) });
  assert.deepEqual(readFileSync(join(dir, "unet/model.onnx")), Buffer.from(good));
  assert.equal(files["unet/model.onnx"]?.sha256, sha);
  assert.equal(files["unet/model.onnx"]?.verified, true);
  assert.equal(seen.at(-1), good.length);
  assert.equal(JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).files["unet/model.onnx"].bytes, good.length);
  assert.ok(!existsSync(join(dir, "unet/model.onnx.part")));
});

test("pull rejects a corrupted download, names the file and leaves nothing that looks complete", async () => {
  const dir = join(root, "corrupt");
  corrupt = true;
  try {
    await assert.rejects(pullFiles({ dir, files: [file], baseUrl: base }), (e: Error) => e instanceof PullError && /unet\/model\.onnx: sha256 mismatch/.test(e.message));
  } finally {
    corrupt = false;
  }
  assert.ok(!existsSync(join(dir, "unet/model.onnx")));
  assert.ok(!existsSync(join(dir, "unet/model.onnx.part")));
});

test("pull resumes a partial download with a Range request", async () => {
  const dir = join(root, "resume");
  mkdirSync(join(dir, "unet"), { recursive: true });
  writeFileSync(join(dir, "unet/model.onnx.part"), good.subarray(0, 20_000));
  requests.length = 0;
  await pullFiles({ dir, files: [file], baseUrl: base });
  assert.ok(requests.some((r) => r.range === "bytes=20000-"), JSON.stringify(requests));
  assert.deepEqual(readFileSync(join(dir, "unet/model.onnx")), Buffer.from(good));
});

test("a card sha256 overrides the server's, and a wrong one is rejected", async () => {
  const dir = join(root, "pinned");
  await assert.rejects(pullFiles({ dir, files: [{ ...file, sha256: "0".repeat(64) }], baseUrl: base }), /sha256 mismatch .*expected 0000/);
});

// Asynchronous on purpose: the loopback server lives in this process's event loop.
const cli = runCliAsync;

test("`dreamface models pull sd15` fetches every sd15 file from DREAMFACE_HF_BASE, and exits 2 on a corrupt one", async () => {
  const dir = join(root, "cli");
  const ok = await cli(["models", "pull", "sd15", "--dir", dir], { DREAMFACE_HF_BASE: base });
  assert.equal(ok.status, 0, ok.stderr);
  const files = remoteFiles("sd15");
  assert.ok(files.length >= 8);
  for (const f of files) assert.deepEqual(readFileSync(join(dir, f.path)), Buffer.from(good), f.path);
  corrupt = true;
  try {
    const bad = await cli(["models", "pull", "sd15", "--dir", join(root, "cli-bad")], { DREAMFACE_HF_BASE: base });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /dreamface: text_encoder\/model\.onnx: sha256 mismatch/);
  } finally {
    corrupt = false;
  }
});
