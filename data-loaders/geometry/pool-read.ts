// Reads a candidate pool into flat typed arrays: from `merged/` when `pool merge` has run
// (raw float32 files, a single read), else from the chunk Parquet files (the pool must be complete).
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { parquetReadObjects } from "hyparquet";
import { UserError } from "../cli/errors.js";
import { WasmPool } from "../../src/engine/stages/geometry/rank-wasm.js";
import { chunkCount, chunkPath, mergedDir, missingChunks, readAnchors, readPoolSpec, type Anchors, type PoolSpec } from "./pool-files.js";

export interface LoadedPool {
  dir: string;
  spec: PoolSpec;
  anchors: Anchors;
  /** `[N*dim]` mean CLIP image embeddings, row i = candidate i. */
  embeddings: Float32Array;
  /** `[N*identityCount]`. */
  betas: Float32Array;
  /** PNG bytes per candidate, only when asked for (they are the bulk of a chunk). */
  thumbnails?: Uint8Array[];
  /** When loaded for the SIMD ranker: `embeddings` is a view into this shared memory. */
  wasm?: WasmPool;
}

/** Reads a whole file into `target` (a view into memory we already own: no second copy of a big pool). */
function readInto(path: string, target: Uint8Array): void {
  const fd = openSync(path, "r");
  try {
    let off = 0;
    while (off < target.length) {
      const n = readSync(fd, target, off, Math.min(1 << 30, target.length - off), off);
      if (n === 0) throw new Error(`${path}: ended after ${off} of ${target.length} bytes`);
      off += n;
    }
  } finally {
    closeSync(fd);
  }
}

const toArrayBuffer = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

function floats(bytes: Uint8Array, expected: number, what: string): Float32Array {
  if (bytes.byteLength !== expected * 4) throw new Error(`${what}: ${bytes.byteLength} bytes, expected ${expected} float32 values`);
  return new Float32Array(bytes.slice().buffer);
}

export interface ChunkRows {
  index: Int32Array;
  betas: Float32Array;
  embeddings: Float32Array;
  thumbnails: Uint8Array[];
}

export async function readChunk(dir: string, spec: PoolSpec, c: number): Promise<ChunkRows> {
  const path = chunkPath(dir, c);
  const rows = (await parquetReadObjects({ file: toArrayBuffer(readFileSync(path)), utf8: false })) as { index: number; beta: Uint8Array; embedding: Uint8Array; thumbnail: Uint8Array }[];
  const n = rows.length;
  const expected = Math.min(spec.chunkSize, spec.size - c * spec.chunkSize);
  if (n !== expected) throw new Error(`${path}: ${n} rows, expected ${expected}`);
  const out: ChunkRows = { index: new Int32Array(n), betas: new Float32Array(n * spec.identityCount), embeddings: new Float32Array(n * spec.dim), thumbnails: [] };
  rows.forEach((r, k) => {
    out.index[k] = r.index;
    out.betas.set(floats(r.beta, spec.identityCount, `${path} row ${k} beta`), k * spec.identityCount);
    out.embeddings.set(floats(r.embedding, spec.dim, `${path} row ${k} embedding`), k * spec.dim);
    out.thumbnails.push(r.thumbnail);
  });
  return out;
}

/**
 * `wasm: true` (for big merged pools) reads the embeddings straight into shared WebAssembly
 * memory for the SIMD ranker, so a million-candidate pool is held once (3 GB), not twice.
 */
export async function loadPool(dir: string, { thumbnails = false, wasm = false } = {}): Promise<LoadedPool> {
  const spec = readPoolSpec(dir);
  const anchors = readAnchors(dir);
  const m = mergedDir(dir);
  const embPath = join(m, "embeddings.f32");
  if (wasm && !thumbnails && existsSync(embPath) && existsSync(join(m, "betas.f32")) && WasmPool.fits(spec.size, spec.dim) && statSync(embPath).size === spec.size * spec.dim * 4) {
    const wp = WasmPool.allocate(spec.size, spec.dim, { shared: true });
    readInto(embPath, new Uint8Array(wp.memory.buffer, wp.poolOffset, spec.size * spec.dim * 4));
    const betas = new Float32Array(toArrayBuffer(readFileSync(join(m, "betas.f32"))));
    return { dir, spec, anchors, embeddings: wp.rows(), betas, wasm: wp };
  }
  if (!thumbnails && existsSync(embPath) && existsSync(join(m, "betas.f32"))) {
    const embeddings = new Float32Array(toArrayBuffer(readFileSync(join(m, "embeddings.f32"))));
    const betas = new Float32Array(toArrayBuffer(readFileSync(join(m, "betas.f32"))));
    if (embeddings.length === spec.size * spec.dim && betas.length === spec.size * spec.identityCount)
      return { dir, spec, anchors, embeddings, betas };
  }
  const missing = missingChunks(dir, spec);
  if (missing.length)
    throw new UserError(
      `the pool at ${dir} is incomplete: ${missing.length} of ${chunkCount(spec)} chunks missing (first: ${missing.slice(0, 5).join(", ")}); ` +
        `finish it with \`dreamface pool build --out ${dir} --size ${spec.size} --seed ${spec.seed}\` (it resumes)`,
    );
  const embeddings = new Float32Array(spec.size * spec.dim);
  const betas = new Float32Array(spec.size * spec.identityCount);
  const thumbs: Uint8Array[] = [];
  for (let c = 0; c < chunkCount(spec); c++) {
    const rows = await readChunk(dir, spec, c);
    for (let k = 0; k < rows.index.length; k++) {
      const i = rows.index[k]!;
      if (i !== c * spec.chunkSize + k) throw new Error(`${chunkPath(dir, c)} row ${k} holds candidate ${i}, expected ${c * spec.chunkSize + k}`);
    }
    embeddings.set(rows.embeddings, c * spec.chunkSize * spec.dim);
    betas.set(rows.betas, c * spec.chunkSize * spec.identityCount);
    if (thumbnails) thumbs.push(...rows.thumbnails);
  }
  return { dir, spec, anchors, embeddings, betas, ...(thumbnails ? { thumbnails: thumbs } : {}) };
}
