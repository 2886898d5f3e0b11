// One block of rows of a ParallelRanker: pool statistics once, then Eq. 3 scores + local top k per query.
import { parentPort, workerData } from "node:worker_threads";
import { combineScores, poolStats, scoreParts, topK, type PoolStats } from "../../src/engine/stages/geometry/rank.js";
import { WasmPool } from "../../src/engine/stages/geometry/rank-wasm.js";

const { n, dim, start, end, slot, anchor, memory, rows, invNorm, invDeltaNorm, sd, sr } = workerData as {
  n: number; dim: number; start: number; end: number; slot: number; anchor: Float32Array;
  memory?: WebAssembly.Memory; rows?: Float32Array;
  invNorm: Float32Array; invDeltaNorm: Float32Array; sd: Float32Array; sr: Float32Array;
};
const wasm = memory ? WasmPool.attach(memory, n, dim, true) : undefined;
const pool = wasm ? wasm.rows() : rows!;
const stats: PoolStats = poolStats(pool, dim, anchor, { invNorm, invDeltaNorm }, start, end);

parentPort!.on("message", (m: { type: string; textUnit: Float32Array; textDelta: Float32Array; lambdaD: number; lambdaR: number; k: number }) => {
  try {
    if (m.type === "ready") return parentPort!.postMessage({ ok: true });
    const query = { textUnit: m.textUnit, textDelta: m.textDelta };
    if (wasm) wasm.scoreParts(stats, query, { sd, sr }, start, end, slot);
    else scoreParts(pool, dim, stats, query, { sd, sr }, start, end);
    const local = topK(combineScores({ sd: sd.subarray(start, end), sr: sr.subarray(start, end) }, m.lambdaD, m.lambdaR), m.k);
    for (let i = 0; i < local.index.length; i++) local.index[i]! += start;
    parentPort!.postMessage(local);
  } catch (error) {
    parentPort!.postMessage({ error: String((error as Error).stack ?? error) });
  }
});
