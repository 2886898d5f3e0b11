// One worker_threads worker of a ParallelRenderer: runs band messages (engine code) and answers.
import { parentPort } from "node:worker_threads";
import { bandHandler, type BandMessage } from "../../src/engine/raster/parallel.js";

const handle = bandHandler();
parentPort!.on("message", (m: BandMessage) => {
  try {
    handle(m);
    parentPort!.postMessage({});
  } catch (error) {
    parentPort!.postMessage({ error: String((error as Error).stack ?? error) });
  }
});
