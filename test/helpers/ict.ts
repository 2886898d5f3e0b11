// The ICT "dreamface" region as a seam-split render mesh, through the face engineer's loader
// (warm from its binary cache; the first run parses ../shared/ict-facekit once).
import { loadFaceModel } from "../../data-loaders/face/load.js";
import { seamSplit } from "../../src/engine/face/seam.js";
import type { RenderMesh } from "../../src/engine/raster/render.js";

let cached: Promise<RenderMesh> | undefined;

export function ictRegionMesh(): Promise<RenderMesh> {
  cached ??= (async () => {
    const model = await loadFaceModel();
    const region = model.regions.dreamface;
    const split = seamSplit(model, "dreamface");
    // ICT's own tile UVs (u ∈ [0, 2]), as the renderer tests address the tiles; the stages render with the atlas (split.uv).
    return { positions: model.neutral.slice(0, region.vertexCount * 3), triangles: split.triangles, uv: split.tileUv, source: split.source };
  })();
  return cached;
}
