// A process that renders and adjoints one frame on a 2-thread renderer and never closes it: it
// must still exit (render-workers.test.ts), as a paused `dreamface serve` run's process must.
import { createNodeRenderer } from "../../data-loaders/raster/render-workers.js";
import { orbitCamera, directionalLight } from "../../src/engine/raster/camera.js";
import { ictRegionMesh } from "./ict.js";

const r = await createNodeRenderer({ threads: 2, bands: 4 });
const mesh = await ictRegionMesh();
const f = await r.render(mesh, { camera: orbitCamera({ azimuth: 10 }), width: 64, height: 64, light: directionalLight(20, 20) });
const g = await r.renderBackward(f, new Float32Array(64 * 64 * 3).fill(1), ["positions"]);
console.log(`rendered ${f.mask.reduce((a, b) => a + b, 0)} pixels, gradient ${g.positions!.some((v) => v !== 0) ? "nonzero" : "zero"}`);
