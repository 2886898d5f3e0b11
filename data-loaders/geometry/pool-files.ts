// The on-disk layout of a candidate pool, shared by build, merge and rank:
//   <pool>/pool.json                 what the pool is (seed, size, chunking, profile, render rig)
//   <pool>/anchors.json              CLIP embeddings of the mean mesh and of "the face"
//   <pool>/chunks/chunk-NNNNNN.parquet  candidates [c·chunkSize, (c+1)·chunkSize), written atomically
//   <pool>/shards/shard-I-of-N.json  which chunks shard I has completed (progress, for people)
//   <pool>/merged/                   after `pool merge`: embeddings.f32, betas.f32, pool.duckdb, pool.parquet
// A chunk file exists only complete (atomic rename), so "done" means "the file is there": a
// killed build resumes by skipping existing chunks, losing at most the chunk in flight.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../cli/errors.js";

export const POOL_FORMAT = "dreamface-pool/1";

export interface PoolSpec {
  format: typeof POOL_FORMAT;
  seed: number;
  size: number;
  chunkSize: number;
  profile: string;
  label?: string;
  dim: number;
  identityCount: number;
  rig: { views: string; lights: number; size: number };
  thumbSize: number;
  anchorText: string;
}

export interface Anchors {
  anchorText: string;
  meshImage: number[];
  text: number[];
}

export const chunkCount = (spec: Pick<PoolSpec, "size" | "chunkSize">) => Math.ceil(spec.size / spec.chunkSize);
export const chunkPath = (dir: string, c: number) => join(dir, "chunks", `chunk-${String(c).padStart(6, "0")}.parquet`);
export const shardPath = (dir: string, i: number, n: number) => join(dir, "shards", `shard-${i}-of-${n}.json`);
export const mergedDir = (dir: string) => join(dir, "merged");

/** Chunks that belong to shard i of n: round-robin, so every shard gets a similar share of a partial last chunk. */
export function shardChunks(spec: Pick<PoolSpec, "size" | "chunkSize">, shard: { index: number; count: number }): number[] {
  const out: number[] = [];
  for (let c = shard.index; c < chunkCount(spec); c += shard.count) out.push(c);
  return out;
}

export function readPoolSpec(dir: string): PoolSpec {
  const path = join(dir, "pool.json");
  if (!existsSync(path)) throw new UserError(`no candidate pool at ${dir} (pool.json missing): build one with \`dreamface pool build --out ${dir}\``);
  const spec = JSON.parse(readFileSync(path, "utf8")) as PoolSpec;
  if (spec.format !== POOL_FORMAT) throw new UserError(`${path} is format ${spec.format}, expected ${POOL_FORMAT}`);
  return spec;
}

export function readAnchors(dir: string): Anchors {
  const path = join(dir, "anchors.json");
  if (!existsSync(path)) throw new UserError(`the pool at ${dir} has no anchors.json: rerun \`dreamface pool build --out ${dir}\` (it resumes)`);
  return JSON.parse(readFileSync(path, "utf8")) as Anchors;
}

export function missingChunks(dir: string, spec: PoolSpec): number[] {
  const missing: number[] = [];
  for (let c = 0; c < chunkCount(spec); c++) if (!existsSync(chunkPath(dir, c))) missing.push(c);
  return missing;
}

/** "--shard 2/8" → {index: 2, count: 8}; indices are 0-based. */
export function parseShard(text: string | undefined): { index: number; count: number } {
  if (text === undefined) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new UserError(`--shard must look like i/n (0-based, e.g. 0/4), got "${text}"`);
  const index = Number(m[1]), count = Number(m[2]);
  if (count < 1 || index >= count) throw new UserError(`--shard ${text}: need 0 ≤ i < n`);
  return { index, count };
}
