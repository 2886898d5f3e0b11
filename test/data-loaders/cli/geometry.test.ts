// `dreamface geometry` (coefficient mode) and `dreamface setup`, run as a user would: a child process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseObj } from "../../../src/engine/face/obj.js";
import { assertValidGlb } from "../../helpers/gltf-validate.js";
import { maxAbsDiff, originalPositions, sharedIctDir } from "../../helpers/ict-files.js";
import { runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";
import { UserError } from "../../../data-loaders/cli/errors.js";

const out = tempDir("dreamface-geometry-cli-");
// Pin the model folder; the binary cache is the user's (shared across test files, keyed on the files).
const env = { DREAMFACE_ICT_DIR: sharedIctDir() };

const dreamface = (...args: string[]) => runCli(args, env);

function objPositions(path: string): Float32Array {
  return parseObj(readFileSync(path), path).positions;
}

test("--identity k=1 reproduces identity<k>.obj on the region's vertices (k = 0, 7, 42, 99)", () => {
  for (const k of [0, 7, 42, 99]) {
    const file = join(out, `id${k}.obj`);
    const r = dreamface("geometry", "--identity", `${k}=1`, "--out", file);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /14062 vertices, 28068 triangles/);
    const got = objPositions(file);
    assert.equal(got.length, 14062 * 3);
    const diff = maxAbsDiff(got, originalPositions(`identity${String(k).padStart(3, "0")}.obj`), 14062 * 3);
    assert.ok(diff < 1e-5, `identity ${k}: max |Δ| = ${diff}`);
    assert.ok(existsSync(join(out, `id${k}.mtl`)), "the .mtl sits beside the .obj");
  }
});

test("--expression jawOpen=1 reproduces jawOpen.obj; --region full writes 26719 vertices", () => {
  const file = join(out, "jaw.obj");
  assert.equal(dreamface("geometry", "--expression", "jawOpen=1", "--out", file).status, 0);
  assert.ok(maxAbsDiff(objPositions(file), originalPositions("jawOpen.obj"), 14062 * 3) < 1e-5);
  const full = join(out, "full.obj");
  const r = dreamface("geometry", "--expression", "eyeBlink_L=1", "--region", "full", "--out", full);
  assert.equal(r.status, 0, r.stderr);
  const pos = objPositions(full);
  assert.equal(pos.length, 26719 * 3);
  assert.ok(maxAbsDiff(pos, originalPositions("eyeBlink_L.obj")) < 1e-5);
});

test("--out FILE.glb passes glTF-Validator with 53 named morph targets weighted by --expression", async () => {
  const file = join(out, "face.glb");
  const r = dreamface("geometry", "--identity", "0=1.0,5=-0.5", "--expression", "jawOpen=0.7", "--out", file);
  assert.equal(r.status, 0, r.stderr);
  const glb = new Uint8Array(readFileSync(file));
  await assertValidGlb(glb, "face.glb");
  const json = JSON.parse(new TextDecoder().decode(glb.subarray(20, 20 + new DataView(glb.buffer, glb.byteOffset).getUint32(12, true))));
  const mesh = json.meshes[0];
  assert.equal(mesh.primitives[0].targets.length, 53);
  assert.equal(mesh.extras.targetNames.length, 53);
  assert.equal(mesh.extras.targetNames[26], "jawOpen");
  assert.equal(mesh.weights[26], Math.fround(0.7));
  assert.equal(mesh.weights.filter((w: number) => w !== 0).length, 1);
});

test("--seed samples the same identity every time, and different seeds differ", async () => {
  const [a, b, c] = ["a", "b", "c"].map((n) => join(out, `seed-${n}.obj`));
  assert.equal(dreamface("geometry", "--seed", "3", "--out", a!).status, 0);
  assert.equal(dreamface("geometry", "--seed", "3", "--out", b!).status, 0);
  process.env.DREAMFACE_ICT_DIR = sharedIctDir();
  const { runIctGeometry } = await import("../../../data-loaders/face/geometry-cli.js");
  await runIctGeometry({ seed: "4", out: c! });
  // Identical apart from the mtllib line, which names each file's own .mtl.
  const body = (f: string) => readFileSync(f, "utf8").replace(/^mtllib .*$/m, "");
  assert.equal(body(a!), body(b!));
  assert.ok(maxAbsDiff(objPositions(a!), objPositions(c!)) > 0.1);
});

test("bad inputs exit 2 with a message naming the problem and write no file", () => {
  // Through the real CLI: exit status, "dreamface: " prefix, message, nothing written.
  const cases: [string[], RegExp][] = [
    [["--expression", "jawOpn=1"], /unknown expression "jawOpn"; did you mean jawOpen/],
    [["--identity", "100=1"], /index 100 is out of range; the model has identity modes 0–99/],
    [["--identity", "3=abc"], /value of "3" must be a finite number, got "abc"/],
    [["--identity", "0=1", "--out", join(out, "face.stl")], /unknown extension "\.stl"; use \.obj or \.glb/],
    [["--identity", "0=1", "--out", join(out, "missing-dir", "face.obj")], /the directory .*missing-dir does not exist/],
  ];
  for (const [args, message] of cases) {
    const r = dreamface("geometry", ...(args.includes("--out") ? args : [...args, "--out", join(out, "bad.obj")]));
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^dreamface: /);
    assert.match(r.stderr, message);
  }
  for (const f of ["bad.obj", "bad.mtl", "face.stl", "missing-dir"]) assert.equal(existsSync(join(out, f)), false, `${f} was written`);
});

test("every other malformed flag is a UserError before anything is written", async () => {
  process.env.DREAMFACE_ICT_DIR = sharedIctDir();
  const { runIctGeometry } = await import("../../../data-loaders/face/geometry-cli.js");
  const locked = join(out, "locked");
  mkdirSync(locked);
  chmodSync(locked, 0o500);
  const file = join(out, "bad2.obj");
  const cases: [Record<string, string>, RegExp][] = [
    [{ identity: "-1=1" }, /"-1" is not an identity mode index/],
    [{ identity: "3=Infinity" }, /must be a finite number/],
    [{ expression: "jawOpen=NaN" }, /must be a finite number/],
    [{ expression: "jawOpen=1e999" }, /must be a finite number/],
    [{ identity: "3" }, /"3" is not a name=value pair/],
    [{ identity: "1=1,1=2" }, /"1" is given twice/],
    [{ seed: "x" }, /--seed must be an integer/],
    [{ seed: "-3" }, /--seed must be an integer/],
    [{ region: "head" }, /--region must be "dreamface" or "full"/],
    [{ out: "" }, /--out is required/],
    [{ out: out }, /unknown extension|is a directory/],
  ];
  if (process.getuid?.() !== 0) cases.push([{ out: join(locked, "face.obj") }, /is not writable/]); // root ignores modes
  for (const [flags, message] of cases) {
    await assert.rejects(runIctGeometry({ out: file, ...flags }), (e: Error) => e instanceof UserError && message.test(e.message), JSON.stringify(flags));
  }
  assert.equal(existsSync(file), false);
  assert.deepEqual(readdirSync(locked), []);
  chmodSync(locked, 0o700);
});

test("--list-expressions prints the 53 names in model order; --help documents every flag", () => {
  const r = dreamface("geometry", "--list-expressions");
  assert.equal(r.status, 0);
  const names = r.stdout.trim().split("\n");
  assert.equal(names.length, 53);
  assert.equal(names[26], "jawOpen");
  const help = dreamface("geometry", "--help");
  for (const flag of ["--identity", "--expression", "--seed", "--region", "--out", "[prompt]"]) assert.ok(help.stdout.includes(flag), flag);
  assert.match(dreamface("setup", "--help").stdout, /--from <dir>/);
  // Coefficient flags with a prompt (and prompt flags without one) are refused before any work.
  const mixed = dreamface("geometry", "a smiling face", "--identity", "0=1", "--out", join(out, "mixed"));
  assert.equal(mixed.status, 2);
  assert.match(mixed.stderr, /are for the coefficient mode/);
  const noPrompt = dreamface("geometry", "--profile", "tiny", "--out", join(out, "x.obj"));
  assert.equal(noPrompt.status, 2);
  assert.match(noPrompt.stderr, /need a prompt/);
});

test("setup --from a missing folder exits 2 with the folder named", () => {
  const r = runCli(["setup", "--from", join(out, "nowhere")], { ...env, DREAMFACE_CACHE_DIR: join(out, "cache") });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--from .*nowhere: no such folder/);
  assert.equal(existsSync(join(out, "cache", "ict-facekit", "FaceXModel")), false);
});
