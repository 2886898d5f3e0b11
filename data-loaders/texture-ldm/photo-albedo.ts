// The desired domain's source photo in ICT's UV layout: the public-domain astronaut photo
// (../shared/faces) tracked by MediaPipe in headless Chromium, fitted by the tracker's ICT fit
// (identity + expression + weak-perspective pose), and each front-facing vertex coloured by the
// photo pixel it projects to (narrow face area only), then rasterised into the face UV tile. Cached per size in the user
// cache (tracking needs Chromium; the bake is deterministic given the landmarks).
// The photo's own soft lighting stays in it: it is not de-lit.
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { loadFaceModel } from "../face/load.js";
import { sharedDir, userCacheDir } from "../io/paths.js";
import { readPng } from "../io/png.js";
import { writeFileAtomic } from "../io/atomic.js";
import { trackImages } from "../animation/track.js";
import { loadCorrespondence } from "../animation/correspondence.js";
import { landmarkBasis } from "../../src/engine/stages/animation/correspondence.js";
import { fitSequence } from "../../src/engine/stages/animation/sequence.js";
import { synthesize } from "../../src/engine/face/synthesize.js";
import { gatherSplit, seamSplit } from "../../src/engine/face/seam.js";
import { vertexNormals } from "../../src/engine/face/normals.js";
import { ICT_NARROW_FACE_AREA } from "../../src/engine/face/ict.js";
import { rasterizeUV, uvMap } from "../../src/engine/raster/uvraster.js";
import type { PhotoAlbedo } from "../../src/engine/stages/texture-ldm/uv-dataset.js";

const CACHE_VERSION = 2;

export function astronautPath(): string | undefined {
  const s = sharedDir();
  const p = s && join(s, "faces", "astronaut.png");
  return p && existsSync(p) ? p : undefined;
}

/** The photo's UV albedo at `size`², or a reason it is unavailable. */
export async function photoUvAlbedo(size: number): Promise<PhotoAlbedo | { unavailable: string }> {
  const photo = astronautPath();
  if (!photo) return { unavailable: "../shared/faces/astronaut.png not found" };
  const cache = join(userCacheDir(), "texture-ldm", `astronaut-uv-v${CACHE_VERSION}-${size}.bin`);
  if (existsSync(cache)) {
    const b = readFileSync(cache);
    const f = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
    return { size, image: f.slice(0, size * size * 3), valid: Uint8Array.from(f.subarray(size * size * 3), (v) => (v > 0.5 ? 1 : 0)) };
  }
  let frame;
  try {
    [frame] = await trackImages([photo]);
  } catch (error) {
    return { unavailable: `tracking failed: ${(error as Error).message.split("\n")[0]}` };
  }
  if (!frame?.landmarks) return { unavailable: "no face found in the photo" };
  const model = await loadFaceModel();
  const seq = fitSequence(landmarkBasis(model, loadCorrespondence(), undefined, 20), [frame]);
  const fit = seq.fits[0]!;
  const positions = synthesize(model, { identity: seq.identity, expression: fit.weights });
  const split = seamSplit(model, "dreamface");
  const P = gatherSplit(positions, split.source, 3);
  const N = vertexNormals(P, split.triangles);
  const img = readPng(photo);
  const { rotation: R, translation: t, scale: s } = fit.pose;
  const S = split.source.length;
  const colour = new Float32Array(S * 4);
  for (let v = 0; v < S; v++) {
    const x = P[v * 3]!, y = P[v * 3 + 1]!, z = P[v * 3 + 2]!;
    const px = s * (R[0]! * x + R[1]! * y + R[2]! * z) + t[0];
    const py = -(s * (R[3]! * x + R[4]! * y + R[5]! * z) + t[1]); // observations are y-up pixels
    const nz = R[6]! * N[v * 3]! + R[7]! * N[v * 3 + 1]! + R[8]! * N[v * 3 + 2]!;
    // The narrow face area only: the photo's hair, collar and background are not albedo.
    if (split.source[v]! >= ICT_NARROW_FACE_AREA.vertexEnd || nz < 0.25 || px < 0 || py < 0 || px > img.width - 1 || py > img.height - 1) continue;
    const x0 = Math.floor(px), y0 = Math.floor(py), fx = px - x0, fy = py - y0;
    const x1 = Math.min(x0 + 1, img.width - 1), y1 = Math.min(y0 + 1, img.height - 1);
    for (let c = 0; c < 3; c++) {
      const at = (xx: number, yy: number) => img.data[(yy * img.width + xx) * 3 + c]!;
      colour[v * 4 + c] = (1 - fy) * ((1 - fx) * at(x0, y0) + fx * at(x1, y0)) + fy * ((1 - fx) * at(x0, y1) + fx * at(x1, y1));
    }
    colour[v * 4 + 3] = 1;
  }
  const mesh = { uv: split.uv, triangles: split.triangles };
  const m = uvMap(mesh, colour, 4, size, rasterizeUV(mesh, size)).map;
  const image = new Float32Array(size * size * 3);
  const valid = new Uint8Array(size * size);
  for (let i = 0; i < size * size; i++) {
    valid[i] = m[i * 4 + 3]! > 0.999 ? 1 : 0;
    if (valid[i]) for (let c = 0; c < 3; c++) image[i * 3 + c] = m[i * 4 + c]!;
  }
  mkdirSync(join(userCacheDir(), "texture-ldm"), { recursive: true });
  const out = new Float32Array(size * size * 4);
  out.set(image);
  out.set(Float32Array.from(valid), size * size * 3);
  writeFileAtomic(cache, new Uint8Array(out.buffer));
  return { size, image, valid };
}
