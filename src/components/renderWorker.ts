// One Web Worker of a page's ParallelRenderer (see renderWorkers.ts): runs band messages.
import { bandHandler, type BandMessage } from "../engine/raster/parallel.js";

const handle = bandHandler();
self.onmessage = (e: MessageEvent<BandMessage>) => {
  try {
    handle(e.data);
    self.postMessage({});
  } catch (error) {
    self.postMessage({ error: String((error as Error).stack ?? error) });
  }
};
