// The dataset layout (desired/ and undesired/ folders of UV maps + captions + optional masks):
// a bad folder is a one-line UserError naming the problem; the CLI exits 2 with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../../test/helpers/tmp.js";
import { runCli } from "../../test/helpers/cli.js";
import { encodePng } from "../io/png.js";
import { UserError } from "../cli/errors.js";
import { readDataset } from "./dataset-files.js";

const root = tempDir("ldm-data-");

function write(dir: string, domain: string, name: string, size = 16, caption: string | null = "a face", mask = false): void {
  mkdirSync(join(dir, domain), { recursive: true });
  writeFileSync(join(dir, domain, `${name}.png`), encodePng(new Float32Array(size * size * 3).fill(0.5), size, size));
  if (caption !== null) writeFileSync(join(dir, domain, `${name}.txt`), caption + "\n");
  if (mask) writeFileSync(join(dir, domain, `${name}.mask.png`), encodePng(new Float32Array(size * size).fill(0), size, size, { channels: 1 }));
}

function valid(dir: string): void {
  for (const d of ["desired", "undesired"]) for (const n of ["a", "b"]) write(dir, d, n, 16, "a face", d === "undesired" && n === "a");
}

const fails = (dir: string, re: RegExp) => assert.throws(() => readDataset(dir), (e: Error) => e instanceof UserError && re.test(e.message) && !e.message.includes("\n"));

test("a user's dataset folder reads with its domains, captions and masks", () => {
  const dir = join(root, "ok");
  valid(dir);
  const ds = readDataset(dir);
  assert.equal(ds.size, 16);
  assert.deepEqual(ds.items.map((i) => `${i.domain}/${i.name}`), ["desired/a", "desired/b", "undesired/a", "undesired/b"]);
  assert.equal(ds.items[2]!.mask[0], 0); // given mask
  assert.equal(ds.items[0]!.mask[0], 1); // missing mask = all face
  assert.equal(ds.items[0]!.caption, "a face");
});

test("bad datasets: one-line UserErrors naming the problem", () => {
  fails(join(root, "none"), /not a folder/);
  const noUndesired = join(root, "no-undesired");
  write(noUndesired, "desired", "a");
  write(noUndesired, "desired", "b");
  fails(noUndesired, /missing the undesired\/ folder/);
  const few = join(root, "few");
  valid(few);
  rmSync(join(few, "desired", "b.png"));
  fails(few, /needs at least 2 UV maps/);
  const noCaption = join(root, "no-caption");
  valid(noCaption);
  write(noCaption, "desired", "c", 16, null);
  fails(noCaption, /has no caption file/);
  const sizes = join(root, "sizes");
  valid(sizes);
  write(sizes, "undesired", "c", 24);
  fails(sizes, /one size for the whole dataset/);
  const odd = join(root, "odd");
  valid(odd);
  write(odd, "desired", "a", 12);
  fails(odd, /divisible by 8/);
  const broken = join(root, "broken");
  valid(broken);
  writeFileSync(join(broken, "desired", "a.png"), "not a png");
  fails(broken, /is not a readable PNG/);
});

test("CLI: texture-ldm train and ablate texture-ldm reject bad input with exit 2 (subcommand flags parsed as its own)", () => {
  const a = runCli(["texture-ldm", "train", "--variant", "best", "--data", root]);
  assert.equal(a.status, 2, a.stderr);
  assert.match(a.stderr, /--variant must be wo-mp, wo-prompt or full/);
  const b = runCli(["texture-ldm", "train", "--variant", "full", "--data", join(root, "no-undesired"), "--out", join(root, "t")]);
  assert.equal(b.status, 2, b.stderr);
  assert.match(b.stderr, /^dreamface: .*missing the undesired\/ folder.*\n$/);
  const c = runCli(["ablate", "texture-ldm", "--samples", "1", "--out", join(root, "x")]);
  assert.equal(c.status, 2, c.stderr);
  assert.match(c.stderr, /--samples must be an integer ≥ 2/);
});

test("CLI: texture-ldm train runs a variant on a user's folder and writes model.json + weights.bin", () => {
  const dir = join(root, "train-ok");
  valid(dir);
  const out = join(root, "trained");
  const r = runCli(["texture-ldm", "train", "--variant", "full", "--data", dir, "--steps", "2", "--batch", "2", "--out", out]);
  assert.equal(r.status, 0, r.stderr);
  const m = JSON.parse(readFileSync(join(out, "model.json"), "utf8"));
  assert.equal(m.variant, "full");
  assert.equal(readFileSync(join(out, "weights.bin")).length, 4 * (16212 + 16));
  assert.equal(readFileSync(join(out, "trajectory.jsonl"), "utf8").trim().split("\n").length, 2);
});
