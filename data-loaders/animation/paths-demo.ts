// The workbench's "two paths on the same video" demo, computed in Node for src/animation.md.
//
// The video is synthetic, so it needs no file and no browser: an ICT identity (fixed β, standing
// in for a generated asset T†) performs the demo clip and is rendered by the engine's renderer
// at 256². Each frame then goes down both paths:
// - blendshape: the frame's 468 correspondence landmarks, projected by the render camera (exact,
//   no tracker noise), are fitted by fitLandmarks → 53 weights → ICT blendshapes on T†;
// - personalized: the frame is E_exp's face crop → code → G_geo(map(T†), code) → vertices.
// With the tiny profile the personalized output is a TEST SIGNAL (random weights), and the page
// says so.
import { loadFaceModel } from "../face/load.js";
import { createNodeBackend } from "../models/backend-node.js";
import { TINY_LABEL } from "../run/manifest.js";
import { seamSplit } from "../../src/engine/face/seam.js";
import { synthesize } from "../../src/engine/face/synthesize.js";
import { orbitCamera, directionalLight } from "../../src/engine/raster/camera.js";
import { render } from "../../src/engine/raster/render.js";
import { landmarkBasis, landmarkPositions } from "../../src/engine/stages/animation/correspondence.js";
import { fitLandmarks, type FitResult } from "../../src/engine/stages/animation/fit.js";
import { duration, sampleClip } from "../../src/engine/stages/animation/clip.js";
import { demoClip } from "../../src/engine/stages/animation/demoClip.js";
import { geometryMapLayout } from "../../src/engine/stages/animation/geometryMap.js";
import { neutralGeometryMap, personalizedFrame } from "../../src/engine/stages/animation/personalized.js";
import { encodePathsDemo, type PathsDemoHeader } from "../../src/engine/stages/animation/pathsDemo.js";
import { loadCorrespondence } from "./correspondence.js";

export const DEMO_IDENTITY = [1.2, -0.8, 0.5];

export async function buildPathsDemo({ fps = 5, size = 256 } = {}): Promise<Uint8Array> {
  const t0 = performance.now();
  const model = await loadFaceModel();
  const region = model.regions.dreamface;
  const V = region.vertexCount;
  const corr = loadCorrespondence();
  const basis = landmarkBasis(model, corr, DEMO_IDENTITY);
  const clip = demoClip(model.expressionNames);
  const count = Math.floor(duration(clip) * fps + 1e-6) + 1;
  // Far and narrow: close to the weak perspective the fitter assumes.
  const camera = orbitCamera({ azimuth: 12, elevation: 5, distance: 150, fovY: 12 });
  const light = directionalLight(25, 20);
  const neutral = synthesize(model, { identity: DEMO_IDENTITY });
  const layout = geometryMapLayout(seamSplit(model, "dreamface"), V, 256);
  const neutralMap = neutralGeometryMap(layout, neutral);
  const backend = await createNodeBackend({ profile: "tiny" });
  const images = new Uint8Array(count * size * size * 3);
  const personalized = new Float32Array(count * V * 3);
  const truth: number[][] = [], fit: number[][] = [], rmse: number[] = [];
  let previous: FitResult | undefined;
  try {
    for (let f = 0; f < count; f++) {
      const weights = sampleClip(clip, f / fps);
      const positions = synthesize(model, { identity: DEMO_IDENTITY, expression: weights });
      const frame = render({ positions, triangles: region.triangles }, { camera, width: size, height: size, light, albedo: [0.82, 0.66, 0.56], background: [0.12, 0.12, 0.14] });
      for (let i = 0; i < size * size * 3; i++) images[f * size * size * 3 + i] = Math.max(0, Math.min(255, Math.round(frame.image[i]! * 255)));
      const points = project(landmarkPositions(positions, corr), camera.viewProjection, size);
      const result = fitLandmarks(basis, { points, dims: 2 }, { previous });
      previous = result;
      truth.push(Array.from(weights, round));
      fit.push(Array.from(result.weights, round));
      rmse.push(round(result.rmse));
      const crop = { data: frame.image, width: size, height: size, channels: 3 };
      const p = await personalizedFrame(backend, layout, neutral, neutralMap, crop);
      personalized.set(p.positions, f * V * 3);
    }
  } finally {
    await backend.dispose();
  }
  const header: PathsDemoHeader = {
    label: `personalized path: ${TINY_LABEL}; blendshape path: exact landmarks of a synthetic render, fitted to ICT expressions`,
    profile: backend.profile,
    fps,
    frames: count,
    size,
    vertexCount: V,
    identity: DEMO_IDENTITY,
    names: model.expressionNames,
    truth,
    fit,
    rmsePx: rmse,
    buildMs: Math.round(performance.now() - t0),
  };
  return encodePathsDemo(header, images, personalized);
}

/** World → pixel coordinates with y up (the fitter's frame), `[N*2]`. */
function project(points: Float32Array, m: Float32Array, size: number): Float64Array {
  const n = points.length / 3;
  const out = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const x = points[i * 3]!, y = points[i * 3 + 1]!, z = points[i * 3 + 2]!;
    const cx = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
    const cy = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
    const cw = m[3]! * x + m[7]! * y + m[11]! * z + m[15]!;
    out[i * 2] = ((cx / cw + 1) / 2) * size;
    out[i * 2 + 1] = ((cy / cw + 1) / 2) * size;
  }
  return out;
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;
