// Folders of PNGs → float images for the metrics. Errors name the folder or file at fault.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { readPng } from "../io/png.js";
import type { ImageF32 } from "../../src/engine/image/types.js";

/** The PNG files directly inside `dir`, sorted by name (the order is part of a result's identity). */
export function listPngs(dir: string, what = "image folder"): string[] {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new UserError(`${what} not found: ${abs}`);
  if (!statSync(abs).isDirectory()) throw new UserError(`${what} is not a folder: ${abs}`);
  const files = readdirSync(abs).filter((n) => n.toLowerCase().endsWith(".png") && !n.startsWith(".")).sort().map((n) => join(abs, n));
  if (files.length === 0) throw new UserError(`${what} ${abs} holds no .png files`);
  return files;
}

export function readImage(path: string): ImageF32 {
  try {
    const png = readPng(path);
    return { data: png.data, width: png.width, height: png.height, channels: 3 };
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}
