// Browser glue for the engine's ParallelRenderer (src/engine/raster/parallel.ts): Web Workers
// running bandHandler (renderWorker.ts). Workers need SharedArrayBuffer, which browsers give
// only to cross-origin-isolated pages (COOP: same-origin + COEP: require-corp headers); without
// it the renderer runs every band on the page's thread (same bytes, one core).
import { ParallelRenderer, bandWorker, canShareMemory, type BandWorker, type ParallelRendererOptions } from "../engine/raster/parallel.js";

export interface PageRendererOptions extends ParallelRendererOptions {
  /** Threads including the page's (default: navigator.hardwareConcurrency, at most 8). */
  threads?: number;
}

/** Why the page renders on one thread, or null when workers are available. */
export function singleThreadReason(): string | null {
  if (typeof SharedArrayBuffer === "undefined") return "SharedArrayBuffer is unavailable (the page is not cross-origin isolated)";
  if (!canShareMemory()) return "the page is not cross-origin isolated (no COOP/COEP headers)";
  return null;
}

function webBandWorker(): BandWorker {
  const worker = new Worker(new URL("./renderWorker.js", import.meta.url), { type: "module" });
  const handle = bandWorker((message) => worker.postMessage(message), () => worker.terminate());
  worker.onmessage = (e: MessageEvent<{ error?: string }>) => handle.settle(e.data.error);
  worker.onerror = (e) => handle.fail(new Error(`render worker: ${e.message || "the script failed to load (under COEP it must be served with Cross-Origin-Embedder-Policy too)"}`));
  return handle;
}

/** A ParallelRenderer for this page: workers when cross-origin isolated, else one thread. */
export function createPageRenderer({ threads = Math.min(8, navigator.hardwareConcurrency || 1), ...opts }: PageRendererOptions = {}): ParallelRenderer {
  const workers = singleThreadReason() === null ? Array.from({ length: Math.max(0, threads - 1) }, webBandWorker) : [];
  return new ParallelRenderer(workers, opts);
}
