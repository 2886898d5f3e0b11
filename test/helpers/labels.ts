// Checks the README's "every file made with the tiny profile says so" for images and raw floats:
// each .png carries the profile label in its DreamFace-Label iTXt chunk, each .f32 in the sidecar
// beside it (`<name>.json`, e.g. normal-map.json for normal-map.f32).
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readPngLabel } from "../../data-loaders/io/png.js";
import { listFiles } from "./files.js";

/** Asserts every .png and .f32 under `dir` carries `label`; returns how many of each were checked. */
export function assertEveryFileLabelled(dir: string, label: string): { png: number; f32: number } {
  const files = listFiles(dir).map((f) => join(dir, f));
  const pngs = files.filter((f) => f.endsWith(".png")), f32s = files.filter((f) => f.endsWith(".f32"));
  const unlabelled = pngs.filter((p) => readPngLabel(readFileSync(p)) !== label);
  for (const f of f32s) {
    const sidecar = f.replace(/\.f32$/, ".json");
    if (!existsSync(sidecar) || (JSON.parse(readFileSync(sidecar, "utf8")) as { label?: unknown }).label !== label) unlabelled.push(f);
  }
  assert.deepEqual(unlabelled.map((p) => p.slice(dir.length + 1)), [], `files without the label "${label}"`);
  return { png: pngs.length, f32: f32s.length };
}
