// `dreamface pool build`: renders and CLIP-embeds candidates chunk by chunk into Parquet files.
// Candidate i's β comes from Rng.derive(seed, i) alone, so any shard, order or restart gives the
// same rows; chunk files are written atomically and skipped when present, so a killed build
// resumes with nothing lost or duplicated.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import { runLoop } from "../run/loop.js";
import { StepList, type StepRow } from "../../src/engine/run/resumable.js";
import { profileLabel } from "../run/manifest.js";
import { UserError } from "../cli/errors.js";
import { loadFaceModel } from "../face/load.js";
import { createNodeBackend } from "../models/backend-node.js";
import { tokenize } from "../clip/merges.js";
import { seamSplit } from "../../src/engine/face/seam.js";
import { clipTextEmbed } from "../../src/engine/models/text.js";
import { asFloat32 } from "../../src/engine/models/tensor.js";
import type { Backend } from "../../src/engine/models/backend.js";
import { candidateBeta, defaultRig, embedCandidate, IDENTITY_COUNT, type PoolContext } from "../../src/engine/stages/geometry/candidates.js";
import { encodePng8 } from "../io/png.js";
import { chunkPath, POOL_FORMAT, readAnchors, shardChunks, shardPath, type Anchors, type PoolSpec } from "./pool-files.js";

export interface PoolBuildOptions {
  out: string;
  size: number;
  seed: number;
  profile?: string;
  chunkSize?: number;
  shard?: { index: number; count: number };
  thumbSize?: number;
  anchorText?: string;
  /** Stop after this many of the shard's chunks in this process (a simulated kill at a chunk boundary). */
  maxChunks?: number;
  backend?: Backend;
  quiet?: boolean;
}

export interface PoolBuildResult {
  dir: string;
  spec: PoolSpec;
  built: number[];
  skipped: number[];
  ms: number;
}

const bytesOf = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();

/** Opens (or creates) the pool spec; refuses to mix a different seed/size/profile into an existing pool. */
function openSpec(dir: string, wanted: PoolSpec): PoolSpec {
  const path = join(dir, "pool.json");
  if (existsSync(path)) {
    const have = JSON.parse(readFileSync(path, "utf8")) as PoolSpec;
    for (const key of ["seed", "size", "chunkSize", "profile", "thumbSize", "anchorText"] as const)
      if (have[key] !== wanted[key])
        throw new UserError(`the pool at ${dir} was built with ${key} = ${JSON.stringify(have[key])}, not ${JSON.stringify(wanted[key])}: use another --out or the same settings`);
    return have;
  }
  writeJsonAtomic(path, wanted);
  return wanted;
}

export async function buildPool(opts: PoolBuildOptions): Promise<PoolBuildResult> {
  const t0 = performance.now();
  const { out, size, seed } = opts;
  const profile = opts.profile ?? opts.backend?.profile ?? "tiny";
  const chunkSize = opts.chunkSize ?? 256;
  const shard = opts.shard ?? { index: 0, count: 1 };
  if (!Number.isInteger(size) || size < 1) throw new UserError(`--size must be a positive integer, got ${size}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UserError(`--seed must be an integer in [0, 2^32), got ${seed}`);
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new UserError(`--chunk-size must be a positive integer, got ${chunkSize}`);
  const rig = defaultRig();
  const wanted: PoolSpec = {
    format: POOL_FORMAT,
    seed,
    size,
    chunkSize,
    profile,
    label: profileLabel(profile),
    dim: 0,
    identityCount: IDENTITY_COUNT,
    rig: { views: "front, ¾ left, ¾ right (azimuth 0, −45, 45)", lights: rig.lights.length, size: rig.size },
    thumbSize: opts.thumbSize ?? 64,
    anchorText: opts.anchorText ?? "the face",
  };
  const todo = shardChunks({ size, chunkSize }, shard);
  const skipped = todo.filter((c) => existsSync(chunkPath(out, c)));

  const backend = opts.backend ?? (await createNodeBackend({ profile }));
  const model = await loadFaceModel();
  const ctx: PoolContext = { model, split: seamSplit(model, "dreamface"), rig, thumbSize: wanted.thumbSize, backend };

  // Anchors first (deterministic, tiny), so a pool that has any chunk can be ranked once complete.
  let spec: PoolSpec;
  const anchorsPath = join(out, "anchors.json");
  if (!existsSync(anchorsPath)) {
    const mean = await embedCandidate(ctx, -1, new Float32Array(IDENTITY_COUNT));
    const text = asFloat32(await clipTextEmbed(backend, tokenize(wanted.anchorText)));
    spec = openSpec(out, { ...wanted, dim: mean.embedding.length });
    const anchors: Anchors = { anchorText: wanted.anchorText, meshImage: Array.from(mean.embedding), text: Array.from(text) };
    writeJsonAtomic(anchorsPath, anchors);
    writeFileAtomic(join(out, "anchor-mean-mesh.png"), encodePng8(mean.thumbnail, wanted.thumbSize, wanted.thumbSize, 3, wanted.label));
  } else {
    spec = openSpec(out, { ...wanted, dim: readAnchors(out).meshImage.length });
  }

  const built: number[] = [];
  const statusPath = shardPath(out, shard.index, shard.count);
  const writeStatus = () =>
    writeJsonAtomic(statusPath, {
      shard,
      chunks: todo,
      completed: todo.filter((c) => existsSync(chunkPath(out, c))),
      candidatesPerSecond: built.length ? (built.reduce((s, c) => s + Math.min(chunkSize, size - c * chunkSize), 0) / ((performance.now() - t0) / 1000)) : undefined,
    });
  writeStatus();
  const buildChunk = async (c: number): Promise<StepRow> => {
    const first = c * chunkSize, n = Math.min(chunkSize, size - first);
    // The chunk file is the state: one written before (by a killed run or another shard's restart) stays.
    if (existsSync(chunkPath(out, c))) return { candidates: n };
    const index = new Int32Array(n);
    const betas: Uint8Array[] = [], embeddings: Uint8Array[] = [], thumbs: Uint8Array[] = [];
    for (let r = 0; r < n; r++) {
      const i = first + r;
      const e = await embedCandidate(ctx, i, candidateBeta(seed, i));
      if (e.embedding.length !== spec.dim) throw new Error(`candidate ${i}: embedding has ${e.embedding.length} values, the pool's anchors ${spec.dim}`);
      index[r] = i;
      betas.push(bytesOf(e.beta));
      embeddings.push(bytesOf(e.embedding));
      thumbs.push(encodePng8(e.thumbnail, spec.thumbSize, spec.thumbSize));
    }
    const parquet = parquetWriteBuffer({
      columnData: [
        { name: "index", data: index, type: "INT32", nullable: false },
        { name: "beta", data: betas, type: "BYTE_ARRAY", nullable: false },
        { name: "embedding", data: embeddings, type: "BYTE_ARRAY", nullable: false },
        { name: "thumbnail", data: thumbs, type: "BYTE_ARRAY", nullable: false },
      ],
      kvMetadata: [
        { key: "dreamface.layout", value: `beta: float32le[${IDENTITY_COUNT}], embedding: float32le[${spec.dim}], thumbnail: PNG ${spec.thumbSize}²` },
        { key: "dreamface.pool", value: JSON.stringify({ seed, size, chunkSize, chunk: c, profile }) },
      ],
    });
    writeFileAtomic(chunkPath(out, c), new Uint8Array(parquet));
    built.push(c);
    writeStatus();
    return { candidates: n };
  };
  // One step per chunk through the stage loop (progress, stopping, a checkpoint each) in the shard's own
  // folder, so shards building into one pool never share a checkpoint or a trajectory.
  await runLoop(new StepList(todo, buildChunk, "chunk"), {
    dir: join(out, "build", `shard-${shard.index}-of-${shard.count}`),
    label: `pool ${shard.index}/${shard.count}`,
    trajectory: "chunks",
    checkpointEvery: 1,
    stopAfter: opts.maxChunks,
    quiet: opts.quiet,
  });
  if (!opts.backend) await backend.dispose();
  return { dir: out, spec, built, skipped, ms: performance.now() - t0 };
}

