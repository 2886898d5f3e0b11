// Artist hairstyles dropped into a folder: read (.obj, .glb), validated against the ICT
// neutral head, fitted to another head; every bad file is refused with a reason.
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadFaceModel } from "../face/load.js";
import { UserError } from "../cli/errors.js";
import { loadHairLibrary, artistCandidates, HAIR_INDEX } from "./hair-library.js";
import { synthesize } from "../../src/engine/face/synthesize.js";
import { writeObj } from "../../src/engine/export/obj.js";
import { writeGlb } from "../../src/engine/export/gltf.js";
import { buildStyle, styleByName } from "../../src/engine/stages/geometry/hair/styles.js";
import { SCALP_VERTEX_END } from "../../src/engine/stages/geometry/hair/scalp.js";
import { tempDir as newTempDir } from "../../test/helpers/tmp.js";

const tempDir = () => newTempDir("dreamface-hair-");

const model = await loadFaceModel();
const neutral = model.neutral;
const neutralHead = { positions: synthesize(model, { region: "dreamface" }), triangles: model.regions.dreamface.triangles, landmarks68: model.landmarks68 };
// An "artist" mesh: a procedural crop authored on the neutral head.
const authored = buildStyle(neutralHead, styleByName("short crop"));
const entry = (name: string, file: string, extra: object = {}) => ({ name, file, anchor: "ict-full-head", licence: "CC0 test fixture", ...extra });

function library(entries: unknown, files: Record<string, string | Uint8Array>): string {
  const dir = tempDir();
  writeFileSync(join(dir, HAIR_INDEX), typeof entries === "string" ? entries : JSON.stringify(entries));
  for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
  return dir;
}

const objOf = (positions: Float32Array) => writeObj({ positions, faceVertices: authored.triangles });

test("an .obj (cm) and a .glb (metres) hairstyle load, validate and match the authored mesh", () => {
  const glb = writeGlb({ positions: authored.positions.map((x) => x * 0.01), indices: authored.triangles });
  const dir = library([entry("crop obj", "crop.obj"), entry("crop glb", "crop.glb")], { "crop.obj": objOf(authored.positions), "crop.glb": glb });
  const lib = loadHairLibrary(dir, neutral);
  assert.deepEqual(lib.map((h) => h.name), ["crop obj", "crop glb"]);
  assert.equal(lib[0]!.licence, "CC0 test fixture");
  for (const h of lib) {
    assert.deepEqual(h.mesh.triangles, authored.triangles, h.name);
    let worst = 0;
    for (let i = 0; i < authored.positions.length; i++) worst = Math.max(worst, Math.abs(h.mesh.positions[i]! - authored.positions[i]!));
    assert.ok(worst < 1e-4, `${h.name}: off by ${worst} cm`);
  }
});

test("fitting moves the hair with the head: identity on the neutral, a rigid shift exactly, another identity along its scalp", () => {
  const lib = loadHairLibrary(library([entry("crop", "crop.obj")], { "crop.obj": objOf(authored.positions) }), neutral);
  const same = artistCandidates(lib, neutral, neutral)[0]!;
  assert.equal(same.source, "artist");
  assert.deepEqual(same.mesh.positions, lib[0]!.mesh.positions);
  const shifted = neutral.map((x, i) => (i % 3 === 1 ? x + 2 : x));
  const up = artistCandidates(lib, neutral, shifted)[0]!.mesh.positions;
  for (let i = 0; i < up.length; i++) assert.ok(Math.abs(up[i]! - lib[0]!.mesh.positions[i]! - (i % 3 === 1 ? 2 : 0)) < 1e-5);
  // A bigger head: the fitted hair's top rises with the head's top.
  const other = synthesize(model, { identity: [3, -2, 2] });
  const fitted = artistCandidates(lib, neutral, other)[0]!.mesh.positions;
  const top = (p: Float32Array, n: number) => Math.max(...Array.from({ length: n }, (_, v) => p[3 * v + 1]!));
  const headRise = top(other, SCALP_VERTEX_END + 1) - top(neutral, SCALP_VERTEX_END + 1);
  const hairRise = top(fitted, fitted.length / 3) - top(lib[0]!.mesh.positions, fitted.length / 3);
  assert.ok(Math.abs(headRise) > 0.2, `the test identity should change the head height (${headRise})`);
  assert.ok(Math.abs(hairRise - headRise) < 0.25 * Math.abs(headRise) + 0.05, `hair rose ${hairRise}, head ${headRise}`);
});

test("bad libraries and files are refused with a reason naming the problem", () => {
  const obj = { "crop.obj": objOf(authored.positions) };
  const refuse = (entries: unknown, files: Record<string, string | Uint8Array>, pattern: RegExp) =>
    assert.throws(() => loadHairLibrary(library(entries, files), neutral), (e: unknown) => e instanceof UserError && pattern.test(e.message), String(pattern));
  refuse("[{", obj, /not valid JSON/);
  refuse([entry("crop", "crop.obj", { anchor: "flame-head" })], obj, /anchor/);
  refuse([{ name: "crop", file: "crop.obj", anchor: "ict-full-head" }], obj, /licence/);
  refuse([entry("crop", "missing.obj")], obj, /file not found/);
  refuse([entry("a", "crop.obj"), entry("a", "crop.obj")], obj, /used twice/);
  refuse([entry("crop", "crop.ply")], { "crop.ply": "ply\n" }, /unsupported hair mesh format/);
  refuse([entry("metres", "m.obj")], { "m.obj": objOf(authored.positions.map((x) => x * 0.01)) }, /metres or millimetres/);
  refuse([entry("far", "far.obj")], { "far.obj": objOf(authored.positions.map((x, i) => (i % 3 === 0 ? x + 100 : x))) }, /does not overlap/);
  refuse([entry("nan", "nan.obj")], { "nan.obj": "v 0 0 0\nv 1 nan 0\nv 0 1 0\nf 1 2 3\n" }, /expected a number/);
  refuse([entry("glb", "bad.glb")], { "bad.glb": "not a glb at all, really not" }, /not a binary glTF/);
  assert.throws(() => loadHairLibrary(tempDir(), neutral), /has no hairstyles\.json/);
});
