// The textured asset: T† seam-split for UVs, its 53 ICT expressions as morph targets, and
// the diffuse / specular / normal maps as PBR material slots (FACE's writeGlb).
import { gatherSplit, splitFrame } from "../../src/engine/face/seam.js";
import type { FaceModel, SeamSplitMesh } from "../../src/engine/face/types.js";
import { writeGlb } from "../../src/engine/export/gltf.js";

export interface TexturedAssetInput {
  model: FaceModel;
  split: SeamSplitMesh;
  /** T† per region vertex `[V*3]`, cm. */
  positions: Float32Array;
  diffusePng: Uint8Array;
  specularPng: Uint8Array;
  normalPng: Uint8Array;
  extras: Record<string, unknown>;
}

export function texturedGlb({ model, split, positions: carved, diffusePng, specularPng, normalPng, extras }: TexturedAssetInput): Uint8Array {
  const region = model.regions.dreamface;
  const scale = 0.01; // glTF is in metres, ICT in centimetres
  const { positions, normals, tangents } = splitFrame(split, carved, { modelTriangles: region.triangles, scale, tangents: true });
  const n = region.vertexCount * 3;
  const morphTargets = model.expressionModes.map((mode, j) => {
    const d = gatherSplit(mode.subarray(0, n), split.source, 3);
    for (let i = 0; i < d.length; i++) d[i]! *= scale;
    return { name: model.expressionNames[j]!, positions: d };
  });
  return writeGlb({
    name: "dreamface-asset",
    positions,
    normals,
    tangents,
    uv: split.uv,
    indices: split.triangles,
    morphTargets,
    material: {
      name: "face",
      baseColorPng: diffusePng,
      normalPng,
      specularColorPng: specularPng,
      specularFactor: 1,
      metallicFactor: 0,
      roughnessFactor: 0.6,
    },
    extras,
  });
}
