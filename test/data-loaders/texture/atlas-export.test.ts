// Issue 11.1: ICT's head-and-neck UV tile has texture space of its own. A tiny `generate` run
// (test signals, not faces) must export every .glb with TEXCOORD_0 inside [0, 1]² (the two
// tiles side by side), every .obj with vt inside [0, 1], 2:1 atlases for N_d and the PBR maps,
// and `dreamface edit` on the atlas edits the face tile and keeps the head tile bit for bit.
// Issue 13.5: the same run shows every .png and .f32 it wrote carries the tiny profile's label.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildPool } from "../../../data-loaders/geometry/pool-build.js";
import { ensureTinyModels } from "../../../data-loaders/models/ensure-tiny.js";
import { readPng } from "../../../data-loaders/io/png.js";
import { parseGlb } from "../../../src/engine/stages/animation/glb.js";
import { runCli } from "../../helpers/cli.js";
import { tempDir } from "../../helpers/tmp.js";
import { listFiles } from "../../helpers/files.js";
import { writeSmallExperiment } from "../../helpers/generate.js";
import { assertEveryFileLabelled } from "../../helpers/labels.js";
import { readPngLabel } from "../../../data-loaders/io/png.js";
import { TINY_LABEL } from "../../../data-loaders/run/manifest.js";

const tmp = tempDir("dreamface-atlas-");
const files = (dir: string, ext: string) => listFiles(dir).filter((f) => f.endsWith(ext)).map((f) => join(dir, f));

/** Every TEXCOORD_0 value of every primitive, read from the binary chunk (not from accessor min/max). */
function texcoords(bytes: Uint8Array): Float32Array[] {
  const { json, bin } = parseGlb(bytes);
  const out: Float32Array[] = [];
  for (const mesh of json.meshes ?? [])
    for (const prim of mesh.primitives ?? []) {
      const a = prim.attributes?.TEXCOORD_0;
      if (a === undefined) continue;
      const acc = json.accessors[a];
      assert.equal(acc.componentType, 5126, "float TEXCOORD_0");
      const view = json.bufferViews[acc.bufferView];
      const stride = (view.byteStride ?? 8) / 4;
      const raw = new Float32Array(bin.buffer.slice(bin.byteOffset + (view.byteOffset ?? 0) + (acc.byteOffset ?? 0), bin.byteOffset + (view.byteOffset ?? 0) + view.byteLength));
      const uv = new Float32Array(acc.count * 2);
      for (let i = 0; i < acc.count; i++) (uv[i * 2] = raw[i * stride]!), (uv[i * 2 + 1] = raw[i * stride + 1]!);
      out.push(uv);
    }
  return out;
}

test("generate (tiny): every .glb has TEXCOORD_0 in [0, 1]², every .obj vt in [0, 1]; N_d and the maps are 2:1 atlases; edit keeps the head tile; every .png and .f32 is labelled a test signal", async () => {
  await ensureTinyModels();
  const pool = join(tmp, "pool");
  await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 1, profile: "tiny", quiet: true });
  const experiment = writeSmallExperiment(join(tmp, "exp.json"), { name: "atlas", seed: 2, profile: "tiny" });
  // With hair on, so the hair stage's .glb is checked too.
  const exp = JSON.parse(readFileSync(experiment, "utf8"));
  exp.geometry.hair = { enabled: true, style: "short crop", colour: "black" };
  writeFileSync(experiment, JSON.stringify(exp));
  const results = join(tmp, "results");
  const r = runCli(["generate", "a woman with short hair", "--pool", pool, "--experiment", experiment], { DREAMFACE_RESULTS_DIR: results });
  assert.equal(r.status, 0, r.stderr);
  const run = join(results, "runs", readdirSync(join(results, "runs"))[0]!);

  const glbs = files(run, ".glb");
  const names = glbs.map((p) => p.slice(run.length + 1)).sort();
  for (const expected of ["geometry/coarse.glb", "geometry/carved.glb", "texture/asset.glb"]) assert.ok(names.includes(expected), `${expected} not in ${names.join(", ")}`);
  let textured = 0;
  for (const path of glbs) {
    for (const uv of texcoords(readFileSync(path))) {
      textured++;
      let umax = 0;
      for (let i = 0; i < uv.length; i++) assert.ok(uv[i]! >= 0 && uv[i]! <= 1, `${path}: TEXCOORD_0 value ${uv[i]} at ${i}`);
      for (let i = 0; i < uv.length; i += 2) umax = Math.max(umax, uv[i]!);
      if (!path.endsWith("hair.glb")) assert.ok(umax > 0.9, `${path}: the head tile is in the right half of the atlas (max u ${umax})`);
    }
  }
  assert.ok(textured >= 3, `${textured} textured primitives`);

  for (const path of files(run, ".obj")) {
    const vt = readFileSync(path, "utf8").split("\n").filter((l) => l.startsWith("vt "));
    for (const line of vt) for (const x of line.slice(3).trim().split(/\s+/).map(Number)) assert.ok(x >= 0 && x <= 1, `${path}: ${line}`);
  }

  // N_d (16² per tile in the small experiment) and the PBR maps (32² per tile): face | head.
  const nd = readPng(join(run, "geometry", "normal-map.png"));
  assert.deepEqual([nd.width, nd.height], [32, 16]);
  for (const kind of ["diffuse", "specular", "normal"]) {
    const m = readPng(join(run, "texture", `${kind}.png`));
    assert.deepEqual([m.width, m.height], [64, 32], kind);
  }

  // Editing the atlas: the texture LDM edits the face tile, the head tile is written back unchanged.
  const diffusePath = join(run, "texture", "diffuse.png"), edited = join(tmp, "edited.png");
  const e = runCli(["edit", diffusePath, "--prompt", "with freckles", "--strength", "0.6", "--steps", "4", "--out", edited], { DREAMFACE_TEST: "1" });
  assert.equal(e.status, 0, e.stderr);
  const a = readPng(diffusePath), b = readPng(edited);
  assert.deepEqual([b.width, b.height], [64, 32]);
  let faceChanged = 0;
  for (let y = 0; y < 32; y++)
    for (let x = 0; x < 64; x++)
      for (let c = 0; c < 3; c++) {
        const i = (y * 64 + x) * 3 + c;
        if (x >= 32) assert.equal(b.data[i], a.data[i], `head tile texel (${x}, ${y}) changed`);
        else if (b.data[i] !== a.data[i]) faceChanged++;
      }
  assert.ok(faceChanged > 100, `only ${faceChanged} face-tile values changed`);

  // Every image and raw-float file of the tiny run (snapshots, maps, previews, hair) and the edit say "test signal".
  const checked = assertEveryFileLabelled(run, TINY_LABEL);
  assert.ok(checked.png >= 10 && checked.f32 >= 2, `only ${checked.png} PNGs and ${checked.f32} .f32 files checked`);
  assert.equal(readPngLabel(readFileSync(edited)), TINY_LABEL, "the edited map");
});
