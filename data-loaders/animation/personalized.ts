// The personalized path for `dreamface animate --path personalized`: per tracked frame,
// Ĝ = G_geo(T†, E_exp(face crop)), stored in the asset as one morph target per frame and an
// animation that steps through them (linear weights between neighbouring one-hot keys = linear
// blending of the frames' geometry), playable anywhere morph targets are.
import { createNodeBackend } from "../models/backend-node.js";
import { profileLabel } from "../run/manifest.js";
import { UserError } from "../cli/errors.js";
import { seamSplit } from "../../src/engine/face/seam.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import { createClip } from "../../src/engine/stages/animation/clip.js";
import { addAnimations, addMorphTargets, readFloatAccessor, type Glb, type MorphedMesh } from "../../src/engine/stages/animation/glb.js";
import { geometryMapLayout } from "../../src/engine/stages/animation/geometryMap.js";
import { CROP_SIZE, neutralGeometryMap, personalizedFrame } from "../../src/engine/stages/animation/personalized.js";
import type { TrackedFrame } from "./track.js";
import { gatherSplit } from "../../src/engine/face/seam.js";

export const MAX_PERSONALIZED_FRAMES = 240;

export async function personalizedGlb(model: FaceModel, glb: Glb, mesh: MorphedMesh, frames: readonly TrackedFrame[], { fps, profile, name }: { fps: number; profile: string; name: string }) {
  if (frames.length > MAX_PERSONALIZED_FRAMES) throw new UserError(`the personalized path stores one morph target per frame: ${frames.length} frames is more than ${MAX_PERSONALIZED_FRAMES}; lower --fps or --max-frames`);
  const region = (["dreamface", "full"] as const).find((r) => model.neutral.length >= model.regions[r].vertexCount * 3 && seamSplit(model, r).source.length === mesh.vertexCount);
  if (!region) throw new UserError(`the personalized path needs the asset's vertices in ICT seam-split order (as \`dreamface geometry\` writes them); this mesh has ${mesh.vertexCount}`);
  const split = seamSplit(model, region);
  const V = model.regions[region].vertexCount;
  const assetPositions = readFloatAccessor(glb, glb.json.meshes[mesh.meshIndex].primitives[0].attributes.POSITION);
  // T† in ICT centimetres: the asset's unit is found from its size against ICT's neutral.
  const unit = rmsRadius(assetPositions, split.source.length) / rmsRadius(gatherSplit(model.neutral, split.source, 3), split.source.length);
  const neutral = new Float32Array(V * 3);
  for (let s = 0; s < split.source.length; s++) for (let a = 0; a < 3; a++) neutral[split.source[s]! * 3 + a] = assetPositions[s * 3 + a]! / unit;
  const layout = geometryMapLayout(split, V, 256);
  const neutralMap = neutralGeometryMap(layout, neutral);
  const backend = await createNodeBackend({ profile });
  const targets: { name: string; positions: Float32Array }[] = [];
  try {
    let last = new Float32Array(split.source.length * 3);
    for (let f = 0; f < frames.length; f++) {
      const crop = frames[f]!.crop;
      if (crop) {
        const image = { data: Float32Array.from(crop, (b) => b / 255), width: CROP_SIZE, height: CROP_SIZE, channels: 3 };
        const { positions } = await personalizedFrame(backend, layout, neutral, neutralMap, image);
        last = new Float32Array(split.source.length * 3);
        for (let s = 0; s < split.source.length; s++) {
          const v = split.source[s]!;
          for (let a = 0; a < 3; a++) last[s * 3 + a] = (positions[v * 3 + a]! - neutral[v * 3 + a]!) * unit;
        }
      }
      // A frame without a face holds the previous frame's geometry.
      targets.push({ name: `personalized_${String(f).padStart(4, "0")}`, positions: last });
    }
  } finally {
    await backend.dispose();
  }
  const withTargets = addMorphTargets(glb, mesh.meshIndex, targets);
  const names = targets.map((t) => t.name);
  const clip = createClip(name, names, names.map((n, f) => ({ time: f / fps, weights: { [n]: 1 } })), "linear");
  return {
    bytes: addAnimations(withTargets, [clip]),
    modelHashes: backend.modelHashes(),
    label: profileLabel(profile) ?? `personalized path, profile ${profile}`,
  };
}

function rmsRadius(p: Float32Array, n: number): number {
  const c = [0, 0, 0];
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) c[a]! += p[i * 3 + a]! / n;
  let sum = 0;
  for (let i = 0; i < n; i++) for (let a = 0; a < 3; a++) sum += (p[i * 3 + a]! - c[a]!) ** 2;
  return Math.sqrt(sum / n);
}
