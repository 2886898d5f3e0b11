// Reads what the geometry stage left in its run folder — the carved mesh T† (carved.obj, ICT
// vertex order), the detail normal map N_d (normal-map.f32: the float32 vectors carving
// optimised, bit for bit, at the geometry config's normalMapSize) and the manifest (prompt,
// seed, profile) — and turns it into the texture stage's scene mesh. Runs from before the float
// hand-off have only normal-map.png, which is decoded instead (quantised, unit vectors).
import { existsSync, readFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { readManifest, type Manifest } from "../run/index.js";
import { loadFaceModel } from "../face/load.js";
import { seamSplit } from "../../src/engine/face/seam.js";
import type { FaceModel, SeamSplitMesh } from "../../src/engine/face/types.js";
import type { DetailNormalMap, TextureSceneMesh } from "../../src/engine/stages/texture/scene.js";
import { readPng } from "../io/png.js";
import { readNormalMapF32 } from "../geometry/normal-map-file.js";

export interface GeometryInput {
  dir: string;
  manifest: Manifest;
  prompt: string;
  seed: number;
  profile: string;
  model: FaceModel;
  split: SeamSplitMesh;
  /** T† per model vertex of the "dreamface" region `[V*3]`, cm. */
  positions: Float32Array;
  /** N_d as carving wrote it (normal-map.f32: face and head tiles side by side), or decoded from normal-map.png for older runs. */
  detailNormalMap: DetailNormalMap;
  scene: TextureSceneMesh;
}

/** Accepts the geometry stage folder itself or a run folder holding `geometry/`. */
export function geometryDir(runDir: string): string {
  const dir = resolve(runDir);
  if (!existsSync(dir)) throw new UserError(`run folder not found: ${dir}`);
  if (existsSync(join(dir, "geometry", "manifest.json"))) return join(dir, "geometry");
  return dir;
}

export function parseObjPositions(text: string, expected: number, path: string): Float32Array {
  const out = new Float32Array(expected * 3);
  let n = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith("v ")) continue;
    if (n >= expected) throw new UserError(`${path} has more than the ${expected} vertices of the dreamface region`);
    const parts = line.trim().split(/\s+/);
    for (let j = 0; j < 3; j++) {
      const v = Number(parts[1 + j]);
      if (!Number.isFinite(v)) throw new UserError(`${path}: vertex ${n + 1} has a non-numeric coordinate`);
      out[n * 3 + j] = v;
    }
    n++;
  }
  if (n !== expected) throw new UserError(`${path} has ${n} vertices, expected ${expected} (the dreamface region): was it written by the geometry stage?`);
  return out;
}

export async function readGeometryRun(runDir: string): Promise<GeometryInput> {
  const dir = geometryDir(runDir);
  const manifest = readManifest(dir);
  if (!manifest) throw new UserError(`${dir} has no manifest.json: pass a geometry run folder (from \`dreamface geometry "<prompt>"\`)`);
  if (manifest.stage !== "geometry") throw new UserError(`${dir} holds a "${manifest.stage}" run, not a geometry run`);
  if (manifest.complete === false) throw new UserError(`the geometry run in ${dir} is not finished (${manifest.stepsDone} steps): rerun \`dreamface geometry\` with --out ${dir} to resume it`);
  const objPath = join(dir, "carved.obj");
  const mapPath = join(dir, "normal-map.png");
  for (const p of [objPath, mapPath]) if (!existsSync(p)) throw new UserError(`${p} is missing: the geometry run in ${dir} did not finish writing (rerun it to resume)`);
  const inputs = (manifest.inputs ?? {}) as { prompt?: string };
  const prompt = inputs.prompt ?? (manifest.config as { prompt?: string } | undefined)?.prompt;
  if (!prompt) throw new UserError(`${join(dir, "manifest.json")} names no prompt`);
  const seed = Number(manifest.seeds?.experiment ?? 0);
  const model = await loadFaceModel();
  const region = model.regions.dreamface;
  const positions = parseObjPositions(readFileSync(objPath, "utf8"), region.vertexCount, objPath);
  const split = seamSplit(model, "dreamface");
  const detailNormalMap = readNormalMapF32(dir) ?? decodeNormalPng(mapPath, split.tiles);
  if (detailNormalMap.width !== detailNormalMap.height * split.tiles)
    throw new UserError(`${dir}: N_d is ${detailNormalMap.width}×${detailNormalMap.height}, expected ${split.tiles} square tiles side by side (a geometry run from before the head tile had texture space: rerun it)`);
  const scene: TextureSceneMesh = { positions, triangles: split.triangles, uv: split.uv, source: split.source, tiles: split.tiles, detailNormalMap };
  return { dir, manifest, prompt, seed, profile: manifest.profile, model, split, positions, detailNormalMap, scene };
}

function decodeNormalPng(mapPath: string, tiles: number): DetailNormalMap {
  const png = readPng(mapPath);
  if (png.width !== png.height * tiles) throw new UserError(`${mapPath} must be ${tiles} square tiles side by side (${tiles}:1), is ${png.width}×${png.height}: was it written before the head tile had texture space? Rerun the geometry stage`);
  const data = new Float32Array(png.data.length);
  for (let i = 0; i < data.length; i++) data[i] = png.data[i]! * 2 - 1;
  return { data, width: png.width, height: png.height };
}

/** Where the texture stage writes by default: beside the geometry folder (one asset folder per run). */
export function defaultTextureDir(geometry: string): string {
  return basename(geometry) === "geometry" ? join(geometry, "..", "texture") : join(geometry, "texture");
}

/**
 * A stand-in geometry for page demos on a clean clone: the ICT mean face (no ranking, no
 * carving) with a flat N_d, labelled as such in its manifest. Keeps the texture loaders
 * within their time budget without running the geometry stage.
 */
export async function meanFaceGeometry(prompt: string, profile = "tiny"): Promise<GeometryInput> {
  const model = await loadFaceModel();
  const region = model.regions.dreamface;
  const positions = model.neutral.slice(0, region.vertexCount * 3);
  const split = seamSplit(model, "dreamface");
  const size = 4;
  const data = new Float32Array(size * size * split.tiles * 3);
  for (let i = 2; i < data.length; i += 3) data[i] = 1;
  const detailNormalMap = { data, width: size * split.tiles, height: size };
  const manifest: Manifest = { stage: "geometry", config: {}, seeds: { experiment: 0 }, profile, inputs: { prompt, note: "ICT mean face, not a geometry-stage result (page demo)" } };
  return {
    dir: "(ICT mean face)",
    manifest,
    prompt,
    seed: 0,
    profile,
    model,
    split,
    positions,
    detailNormalMap,
    scene: { positions, triangles: split.triangles, uv: split.uv, source: split.source, tiles: split.tiles, detailNormalMap },
  };
}
