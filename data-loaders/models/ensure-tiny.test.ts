import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { ensureTinyModels, tinyProblem } from "./ensure-tiny.js";
import { sha256 } from "../io/hash.js";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir } from "../../test/helpers/tmp.js";

const root = tempDir("ensure-");

test("concurrent ensureTinyModels calls build once and agree", async () => {
  const dir = join(root, "race");
  const [a, b, c] = await Promise.all([ensureTinyModels(dir, 0, "core"), ensureTinyModels(dir, 0, "core"), ensureTinyModels(dir, 0, "core")]);
  assert.deepEqual(a, b);
  assert.deepEqual(b, c);
  assert.equal(tinyProblem(dir, 0, { set: "core" }), undefined);
  assert.ok(!existsSync(join(dir, ".build.lock")));
});

test("a present, valid folder is not rewritten; a corrupted file is rebuilt", async () => {
  const dir = join(root, "repair");
  await ensureTinyModels(dir, 0, "core");
  const unet = join(dir, "unet.onnx");
  const before = statSync(unet).mtimeMs;
  await ensureTinyModels(dir, 0, "core");
  assert.equal(statSync(unet).mtimeMs, before);
  const good = readFileSync(unet);
  const bad = Buffer.from(good);
  bad[bad.length - 5] ^= 0xff;
  writeFileSync(unet, bad);
  assert.match(tinyProblem(dir, 0, { set: "core" }) ?? "", /unet\.onnx sha256 differs/);
  await ensureTinyModels(dir, 0, "core");
  assert.equal(sha256(readFileSync(unet)), sha256(good));
});

test("a stale lock from a crashed builder is taken over", async () => {
  const dir = join(root, "stale");
  const lock = join(dir, ".build.lock");
  spawnSync("mkdir", ["-p", lock]);
  spawnSync("touch", ["-d", "10 minutes ago", lock]);
  await ensureTinyModels(dir, 0, "core");
  assert.equal(tinyProblem(dir, 0, { set: "core" }), undefined);
});

test("`dreamface models build-tiny` writes identical files for a seed and rejects a bad seed", () => {
  const run = (...args: string[]) => runCli(["models", "build-tiny", "--core", ...args]);
  const a = run("--seed", "3", "--out", join(root, "cli-a"));
  const b = run("--seed", "3", "--out", join(root, "cli-b"));
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout.replace(join(root, "cli-b"), join(root, "cli-a")));
  assert.match(a.stdout, /wrote 1\d tiny models \(seed 3\)/);
  const bad = run("--seed", "-1", "--out", join(root, "cli-c"));
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--seed -1: must be an integer/);
  assert.ok(!existsSync(join(root, "cli-c")));
});
