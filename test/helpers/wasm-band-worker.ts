// A worker_threads worker for the SIMD tests: runs band messages with the engine's bandHandler
// (as data-loaders/raster/render-worker.ts does) and answers how often the SIMD kernel ran here.
import { parentPort } from "node:worker_threads";
import { bandHandler, type BandMessage } from "../../src/engine/raster/parallel.js";
import { wasmPixelCalls } from "../../src/engine/raster/wasm/fused-kernel.js";

const handle = bandHandler();
parentPort!.on("message", (m: BandMessage) => {
  try {
    handle(m);
    parentPort!.postMessage({ calls: wasmPixelCalls() });
  } catch (error) {
    parentPort!.postMessage({ error: String((error as Error).stack ?? error) });
  }
});
