// The page glue of the parallel renderer in headless Chromium: esbuild bundles a test page
// (src/components/renderWorkers.ts + the engine) and the Web Worker (renderWorker.ts); a
// loopback server serves them with and without cross-origin isolation (COOP/COEP). Isolated,
// the page renders on 2 threads (Web Workers on SharedArrayBuffer) with the same bytes as one
// thread, frames in a shared WebAssembly memory where the SIMD kernels run; not isolated, it
// says why and renders on one thread with the JS loops.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { launchChromium } from "../../data-loaders/browser/chromium.js";

const PAGE = `
import { createPageRenderer, singleThreadReason } from "./src/components/renderWorkers.ts";
import { ParallelRenderer } from "./src/engine/raster/parallel.ts";
import { render } from "./src/engine/raster/render.ts";
import { wasmPixelCalls } from "./src/engine/raster/wasm/fused-kernel.ts";
import { wasmTextureCalls } from "./src/engine/raster/wasm/texture-kernel.ts";
import { orbitCamera, directionalLight } from "./src/engine/raster/camera.ts";
import { bumpyGrid, smoothNormalMap, smoothTexture } from "./test/helpers/meshes.ts";
const mesh = bumpyGrid(24);
const opts = { camera: orbitCamera({ azimuth: -15, elevation: 12, distance: 5, target: [0, 0, 0], fovY: 40 }), width: 96, height: 96,
  light: directionalLight(30, 25), texture: { data: smoothTexture(32, 32, 3), width: 32, height: 32, channels: 3 }, normalMap: { data: smoothNormalMap(32, 32), width: 32, height: 32 } };
const grad = new Float32Array(96 * 96 * 3).map((_, i) => Math.sin(i * 0.37));
const same = (a, b) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
window.result = (async () => {
  const page = createPageRenderer({ threads: 2, bands: 4 });
  const one = new ParallelRenderer([], { bands: 4 });
  const a = await page.render(mesh, opts), imgA = a.image.slice(), gA = await page.renderBackward(a, grad);
  const b = await one.render(mesh, opts), gB = await one.renderBackward(b, grad);
  await page.close();
  return { threads: page.threads, reason: singleThreadReason(), simd: page.simd, kernelsRan: wasmPixelCalls() > 0 && wasmTextureCalls() > 0, sameImage: same(imgA, render(mesh, opts).image),
    sameGrads: ["texture", "normalMap", "positions"].every((k) => same(gA[k], gB[k])), nonzero: gA.positions.some((x) => x !== 0) };
})().catch((e) => ({ error: String(e.stack ?? e) }));
`;

async function bundle(): Promise<Record<string, string>> {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const common = { bundle: true, format: "esm" as const, write: false, absWorkingDir: root, logLevel: "silent" as const };
  const page = await build({ ...common, stdin: { contents: PAGE, resolveDir: root, loader: "ts" } });
  const worker = await build({ ...common, entryPoints: ["src/components/renderWorker.ts"] });
  return { "/page.js": page.outputFiles![0]!.text, "/renderWorker.js": worker.outputFiles![0]!.text };
}

function serve(files: Record<string, string>): Promise<Server> {
  const server = createServer((req, res) => {
    const [path, query] = (req.url ?? "/").split("?");
    // The worker script carries the headers too: under COEP a worker must opt in itself.
    const headers: Record<string, string> = query === "isolated" || path === "/renderWorker.js" ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
    if (path === "/") res.writeHead(200, { ...headers, "content-type": "text/html" }).end(`<!doctype html><script type="module" src="/page.js?${query ?? ""}"></script>`);
    else if (files[path!]) res.writeHead(200, { ...headers, "content-type": "text/javascript" }).end(files[path!]);
    else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

test("page renderer: Web Workers on SharedArrayBuffer when cross-origin isolated (same bytes as one thread), one thread otherwise", async (t) => {
  const server = await serve(await bundle());
  const chromium = await launchChromium();
  try {
    const port = (server.address() as AddressInfo).port;
    for (const isolated of [true, false]) {
      const page = await chromium.context.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`http://127.0.0.1:${port}/${isolated ? "?isolated" : ""}`);
      await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 60000 });
      const r = (await page.evaluate(() => (window as unknown as { result: Promise<Record<string, unknown>> }).result)) as Record<string, unknown>;
      t.diagnostic(`${isolated ? "isolated" : "not isolated"}: ${JSON.stringify(r)}`);
      assert.equal(r.error, undefined, String(r.error));
      assert.deepEqual(errors, []);
      assert.equal(r.sameImage, true, "image differs from render()");
      assert.equal(r.sameGrads, true, "gradients differ from the one-thread 4-band renderer");
      assert.equal(r.nonzero, true);
      if (isolated) { assert.equal(r.threads, 2); assert.equal(r.reason, null); }
      else { assert.equal(r.threads, 1); assert.match(String(r.reason), /cross-origin isolated/); }
      // Frames in a shared WebAssembly memory (SIMD kernels, same bytes) exactly when isolated.
      assert.equal(r.simd, isolated, "WasmArena use");
      assert.equal(r.kernelsRan, isolated, "SIMD kernels on the page's thread");
      await page.close();
    }
  } finally {
    await chromium.close();
    server.close();
  }
});
