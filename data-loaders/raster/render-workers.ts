// Node glue for the engine's ParallelRenderer (src/engine/raster/parallel.ts): worker_threads
// running bandHandler, the calling thread being one of the `threads`. Tests and benches run
// TypeScript through tsx, so each worker registers tsx before importing its entry (as
// geometry/rank-parallel.ts does).
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ParallelRenderer, bandWorker, type BandWorker, type ParallelRendererOptions } from "../../src/engine/raster/parallel.js";
import { UserError } from "../cli/errors.js";

const BOOTSTRAP = `
const { workerData } = require("node:worker_threads");
import(workerData.tsxApi).then((m) => { m.register(); return import(workerData.entry); });
`;

function nodeBandWorker(): BandWorker {
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { tsxApi: import.meta.resolve("tsx/esm/api"), entry: new URL("./render-worker.ts", import.meta.url).href } });
  // Referenced only while a message is in flight: an idle renderer (a paused `dreamface serve`
  // run, a caller that never closes it) must not keep the process alive.
  worker.unref();
  const handle = bandWorker((message) => { worker.ref(); worker.postMessage(message); }, async () => { await worker.terminate(); });
  worker.on("message", (m: { error?: string }) => { worker.unref(); handle.settle(m.error); });
  worker.on("error", (e) => handle.fail(e));
  return handle;
}

export interface NodeRendererOptions extends ParallelRendererOptions {
  /** Threads including the calling one (default: the machine's cores). */
  threads?: number;
}

/** A ParallelRenderer on `threads` threads (threads − 1 workers); resolves once the workers answer. */
export async function createNodeRenderer({ threads = availableParallelism(), ...opts }: NodeRendererOptions = {}): Promise<ParallelRenderer> {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`createNodeRenderer: threads must be a positive integer, got ${threads}`);
  const workers = Array.from({ length: threads - 1 }, nodeBandWorker);
  // A tiny reduce round-trip: waits until every worker has loaded the engine.
  await Promise.all(workers.map((w) => w.run({ op: "reduce", accs: [], ranges: {} })));
  return new ParallelRenderer(workers, opts);
}

/**
 * Render threads for a stage: `threads` (a CLI's --threads), else DREAMFACE_THREADS, else the
 * machine's cores. Results do not depend on it (stages render with STAGE_BANDS bands).
 */
export function renderThreads(threads?: number): number {
  if (threads !== undefined) return threads;
  const env = process.env.DREAMFACE_THREADS;
  if (env === undefined || env === "") return availableParallelism();
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`DREAMFACE_THREADS must be a positive integer, got "${env}"`);
  return n;
}

/**
 * The renderer a stage's run uses: the config's `bands` over renderThreads(threads) threads, at
 * most one per band. Close it when done.
 */
export function createStageRenderer(threads: number | undefined, bands: number): Promise<ParallelRenderer> {
  return createNodeRenderer({ threads: Math.min(renderThreads(threads), bands), bands });
}
