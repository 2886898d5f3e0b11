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
    return { positions: model.neutral.slice(0, region.vertexCount * 3), triangles: split.triangles, uv: split.uv, source: split.source };
  })();
  return cached;
}
