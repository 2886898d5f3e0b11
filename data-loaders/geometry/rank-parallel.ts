// Eq. 3 ranking split over worker threads: the pool lives in shared memory (a shared
// WebAssembly memory when the SIMD kernel is available, else a SharedArrayBuffer for the JS
// kernel); each worker scores a contiguous block of rows and returns its own top k, and the
// main thread merges (ties keep the lower index, as in the engine's topK).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { prepareQuery, type RankAnchors, type ScoreParts, type TopK } from "../../src/engine/stages/geometry/rank.js";
import { QUERY_SLOTS, WasmPool } from "../../src/engine/stages/geometry/rank-wasm.js";

const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.tsxApi).then((m) => { m.register(); return import(workerData.entry); });
`;

function sharedCopy(src: Float32Array): Float32Array {
  if (src.buffer instanceof SharedArrayBuffer) return src;
  const out = new Float32Array(new SharedArrayBuffer(src.byteLength));
  out.set(src);
  return out;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface ParallelRankerOptions {
  threads?: number;
  /** "auto" uses the WebAssembly SIMD kernel when the pool fits it. */
  kernel?: "auto" | "wasm" | "js";
}

export class ParallelRanker {
  private constructor(
    private readonly workers: Worker[],
    private readonly pending: Map<Worker, Pending>,
    readonly n: number,
    readonly dim: number,
    readonly kernel: "wasm" | "js",
    /** s_d and s_r of the last query (shared memory, valid until the next `rank`). */
    readonly parts: ScoreParts,
  ) {}

  get threads(): number {
    return this.workers.length;
  }

  /**
   * Spawns the workers and computes the pool statistics once. Pass a shared `WasmPool`
   * (WasmPool.allocate(n, dim, {shared: true})) to avoid copying a big pool.
   */
  static async create(pool: Float32Array | WasmPool, dim: number, meshAnchor: ArrayLike<number>, { threads = Math.min(availableParallelism(), QUERY_SLOTS - 1), kernel = "auto" }: ParallelRankerOptions = {}): Promise<ParallelRanker> {
    const n = pool instanceof WasmPool ? pool.n : pool.length / dim;
    if (!Number.isInteger(n)) throw new Error(`ParallelRanker: ${(pool as Float32Array).length} values are not whole ${dim}-d rows`);
    const useWasm = kernel === "wasm" || (kernel === "auto" && (pool instanceof WasmPool ? pool.shared : WasmPool.fits(n, dim)));
    let memory: WebAssembly.Memory | undefined;
    let rows: Float32Array | undefined;
    if (useWasm) {
      const wp = pool instanceof WasmPool ? pool : WasmPool.fromEmbeddings(pool, dim, { shared: true });
      if (!wp.shared) throw new Error("ParallelRanker: a WasmPool handed to workers must be allocated with {shared: true}");
      memory = wp.memory;
    } else {
      rows = sharedCopy(pool instanceof WasmPool ? pool.rows() : pool);
    }
    const mk = () => new Float32Array(new SharedArrayBuffer(n * 4));
    const buffers = { invNorm: mk(), invDeltaNorm: mk(), sd: mk(), sr: mk() };
    const count = Math.max(1, Math.min(threads, n, QUERY_SLOTS - 1));
    const workers: Worker[] = [];
    const pending = new Map<Worker, Pending>();
    const entry = new URL("./rank-worker.ts", import.meta.url).href;
    const tsxApi = import.meta.resolve("tsx/esm/api");
    for (let w = 0; w < count; w++) {
      const start = Math.floor((w * n) / count), end = Math.floor(((w + 1) * n) / count);
      const workerData = { tsxApi, entry, n, dim, start, end, slot: w + 1, anchor: Float32Array.from(meshAnchor), memory, rows, ...buffers };
      const worker = new Worker(BOOTSTRAP, { eval: true, workerData });
      worker.on("message", (m: { error?: string }) => {
        const p = pending.get(worker);
        pending.delete(worker);
        if (m.error) p?.reject(new Error(m.error));
        else p?.resolve(m);
      });
      worker.on("error", (e) => {
        pending.get(worker)?.reject(e);
        pending.delete(worker);
      });
      workers.push(worker);
    }
    const ranker = new ParallelRanker(workers, pending, n, dim, useWasm ? "wasm" : "js", { sd: buffers.sd, sr: buffers.sr });
    await Promise.all(workers.map((w) => ranker.call(w, { type: "ready" })));
    return ranker;
  }

  private call(worker: Worker, message: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.pending.set(worker, { resolve, reject });
      worker.postMessage(message);
    });
  }

  /** Scores every candidate (Eq. 3) and returns the k best, best first. */
  async rank(text: ArrayLike<number>, anchors: RankAnchors, { lambdaD, lambdaR, k }: { lambdaD: number; lambdaR: number; k: number }): Promise<TopK> {
    if (text.length !== this.dim) throw new Error(`ParallelRanker: prompt embedding has ${text.length} values, expected ${this.dim}`);
    const q = prepareQuery(text, anchors);
    const results = (await Promise.all(
      this.workers.map((w) => this.call(w, { type: "rank", textUnit: q.textUnit, textDelta: q.textDelta, lambdaD, lambdaR, k })),
    )) as { index: Uint32Array; score: Float32Array }[];
    const pairs: [number, number][] = [];
    for (const r of results) for (let i = 0; i < r.index.length; i++) pairs.push([r.index[i]!, r.score[i]!]);
    pairs.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const best = pairs.slice(0, Math.max(0, Math.floor(k)));
    return { index: Uint32Array.from(best, (p) => p[0]), score: Float32Array.from(best, (p) => p[1]) };
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
