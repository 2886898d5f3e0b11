// A small animated .glb for the workbench page: ICT's mean face carrying only the morph targets
// the demo clip keys, with that clip as a glTF animation (played there by three.js's
// AnimationMixer, exactly as a DCC tool or engine would play an `animate` output).
import { loadFaceModel } from "../face/load.js";
import { faceGlbAsset } from "../../src/engine/export/face-asset.js";
import { writeGlb } from "../../src/engine/export/gltf.js";
import { clipToGlbAnimation } from "../../src/engine/stages/animation/glb.js";
import { demoClip, DEMO_CLIP_TARGETS } from "../../src/engine/stages/animation/demoClip.js";

export async function buildDemoAsset(): Promise<Uint8Array> {
  const model = await loadFaceModel();
  const asset = faceGlbAsset(model, { extras: { about: "ICT-FaceKit mean face with the workbench's hand-keyed demo clip" } });
  const targets = (asset.morphTargets ?? []).filter((t) => DEMO_CLIP_TARGETS.includes(t.name));
  const clip = demoClip(targets.map((t) => t.name));
  return writeGlb({ ...asset, morphTargets: targets, animations: [clipToGlbAnimation(clip, targets.map((t) => t.name))] });
}
