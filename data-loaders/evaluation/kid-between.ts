// KID between two folders of PNGs (paper Sec. 7.3.1): features from the backend's
// kid_features role (Inception-v3 pool3 in a real profile, a seeded random net in the tiny
// one), then kid() over `subsets` random subsets of `subsetSize` images each — by default the
// smaller folder's size, as the paper does ("a batch size equal to the minimum available size").
import { basename } from "node:path";
import type { Backend } from "../../src/engine/models/backend.js";
import { imageFeatures } from "../../src/engine/metrics/features.js";
import { kid, type KidResult } from "../../src/engine/metrics/kid.js";
import { Rng } from "../../src/engine/util/rng.js";
import { UserError } from "../cli/errors.js";
import { profileLabel } from "../run/index.js";
import { listPngs, readImage } from "./images.js";

export interface KidBetweenOptions {
  backend: Backend;
  subsetSize?: number;
  subsets?: number;
  seed?: number;
}

export interface KidReport extends KidResult {
  kind: "dreamface-kid";
  dirA: string;
  dirB: string;
  countA: number;
  countB: number;
  subsets: number;
  seed: number;
  profile: string;
  label?: string;
  featureDim: number;
  modelHashes: Record<string, string>;
}

/** Features of every PNG in a folder, one row per image in name order. */
export async function folderFeatures(backend: Backend, dir: string): Promise<{ data: Float32Array; dim: number; count: number }> {
  const files = listPngs(dir);
  // One image at a time keeps memory flat for folders of thousands of samples.
  const rows: Float32Array[] = [];
  let dim = 0;
  for (const file of files) {
    const f = await imageFeatures(backend, [readImage(file)]);
    dim = f.dim;
    rows.push(f.data);
  }
  const data = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => data.set(r, i * dim));
  return { data, dim, count: files.length };
}

export async function kidBetween(dirA: string, dirB: string, { backend, subsetSize, subsets = 50, seed = 0 }: KidBetweenOptions): Promise<KidReport> {
  const a = await folderFeatures(backend, dirA);
  const b = await folderFeatures(backend, dirB);
  const size = subsetSize ?? Math.min(a.count, b.count);
  if (!Number.isInteger(size) || size < 2)
    throw new UserError(`KID needs subsets of at least 2 images: got ${size} (folders hold ${a.count} and ${b.count} PNGs)`);
  if (size > Math.min(a.count, b.count))
    throw new UserError(`--subset-size ${size} exceeds the smaller folder (${basename(a.count <= b.count ? dirA : dirB)}: ${Math.min(a.count, b.count)} PNGs)`);
  if (!Number.isInteger(subsets) || subsets < 1) throw new UserError(`--subsets must be a positive integer, got ${subsets}`);
  const result = kid(a.data, b.data, a.dim, { subsetSize: size, subsets, rng: Rng.derive(seed, "kid") });
  const label = profileLabel(backend.profile);
  const hashes = backend.modelHashes();
  return {
    kind: "dreamface-kid",
    ...result,
    dirA,
    dirB,
    countA: a.count,
    countB: b.count,
    subsets,
    seed,
    profile: backend.profile,
    ...(label ? { label } : {}),
    featureDim: a.dim,
    modelHashes: hashes.kid_features ? { kid_features: hashes.kid_features } : {},
  };
}
