// Synthetic tracker input: ICT-FaceKit posed with known expression weights (and an identity β),
// rendered by our CPU rasterizer with a skin albedo, one directional light and a perspective
// camera, written as PNG for the real tracker page. The calibration and the tracking benchmark
// both render through here, so what they learn and what they measure see the same pictures.
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import { writeFileAtomic } from "../io/atomic.js";
import { encodePng8 } from "../io/png.js";
import { synthesize } from "../../src/engine/face/synthesize.js";
import type { FaceModel } from "../../src/engine/face/types.js";
import { directionalLight, FACE_FOV_Y, FACE_TARGET, orbitCamera, render } from "../../src/engine/raster/index.js";
import type { FrontalCamera } from "../../src/engine/stages/animation/calibration.js";
import { Rng } from "../../src/engine/util/rng.js";

export interface SyntheticPose {
  /** Identity β (first modes; the rest 0). */
  identity: readonly number[];
  /** `[J]` expression weights in model order. */
  weights: ArrayLike<number>;
  /** Camera azimuth about the head, degrees (0 = frontal). */
  yaw: number;
  /** Light azimuth / elevation, degrees. */
  light: readonly [number, number];
}

export const SYNTHETIC_SIZE = 384;
const DISTANCE = 60;
/** The camera of a yaw-0 render (what the calibration unprojects through). */
export const FRONTAL_CAMERA: FrontalCamera = { eye: [FACE_TARGET[0], FACE_TARGET[1], FACE_TARGET[2] + DISTANCE], fovY: FACE_FOV_Y };
/** The render camera's focal length in image heights (a perspective fit's `focal`). */
export const SYNTHETIC_FOCAL = 0.5 / Math.tan((FACE_FOV_Y * Math.PI) / 360);
const SKIN = [0.86, 0.66, 0.55];
const BACKGROUND = [0.35, 0.38, 0.42];

/** RGB float image `[S*S*3]` of a pose (the face region; eye sockets and mouth show the background). */
export function renderPose(model: FaceModel, pose: SyntheticPose, size = SYNTHETIC_SIZE): Float32Array {
  const positions = synthesize(model, { identity: Array.from(pose.identity), expression: Array.from(pose.weights) });
  const camera = orbitCamera({ azimuth: pose.yaw, elevation: 0, distance: DISTANCE });
  const { image } = render({ positions, triangles: model.regions.dreamface.triangles }, {
    camera, width: size, height: size, albedo: SKIN, background: BACKGROUND,
    light: directionalLight(pose.light[0], pose.light[1], { intensity: 0.75, ambient: 0.3 }),
  });
  return image;
}

/** Renders each pose to `dir/NNN.png` (sorted names = pose order); returns the paths. */
export function writePoses(model: FaceModel, poses: readonly SyntheticPose[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return poses.map((pose, i) => {
    const path = join(dir, `${String(i).padStart(3, "0")}.png`);
    writeFileAtomic(path, encodePng8(renderPose(model, pose), SYNTHETIC_SIZE, SYNTHETIC_SIZE, 3));
    return path;
  });
}

/** A seeded identity: `count` modes drawn N(0, scale²) (ICT's modes are normalized to unit variance). */
export function randomIdentity(seed: number, count = 10, scale = 1): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => rng.normal() * scale);
}
