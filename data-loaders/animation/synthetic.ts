// Synthetic tracker input: ICT-FaceKit posed with known expression weights (and an identity β),
// rendered by our CPU rasterizer with a skin albedo, one directional light and a perspective
// camera, written as PNG for the real tracker page. Either the paper's face region alone or the
// full head: ICT's eyeballs, teeth, gums and tongue, and eyelashes, each in a flat colour of its
// own (ICT's transparent layers, the eyeball's outer shell, lacrimal fluid, eye blend and
// occlusion, are left out). The calibration and the tracking benchmark
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
import { triangulate } from "../../src/engine/face/triangulate.js";
import { ICT_SUB_GEOMETRIES } from "../../src/engine/face/ict.js";

export interface SyntheticPose {
  /** Identity β (first modes; the rest 0). */
  identity: readonly number[];
  /** `[J]` expression weights in model order. */
  weights: ArrayLike<number>;
  /** Camera azimuth about the head, degrees (0 = frontal). */
  yaw: number;
  /** Light azimuth / elevation, degrees. */
  light: readonly [number, number];
  /** "face" (default): the paper's region (eye sockets and mouth show skin or background); "full": the whole head with eyes and teeth. */
  head?: "face" | "full";
}

export const SYNTHETIC_SIZE = 384;
const DISTANCE = 60;
/** The camera of a yaw-0 render (what the calibration unprojects through). */
export const FRONTAL_CAMERA: FrontalCamera = { eye: [FACE_TARGET[0], FACE_TARGET[1], FACE_TARGET[2] + DISTANCE], fovY: FACE_FOV_Y };
/** The render camera's focal length in image heights (a perspective fit's `focal`). */
export const SYNTHETIC_FOCAL = 0.5 / Math.tan((FACE_FOV_Y * Math.PI) / 360);
const BACKGROUND = [0.35, 0.38, 0.42];

/** RGB float image `[S*S*3]` of a pose (the face region, or the full head with `pose.head` "full"). */
export function renderPose(model: FaceModel, pose: SyntheticPose, size = SYNTHETIC_SIZE): Float32Array {
  const full = pose.head === "full";
  const positions = synthesize(model, { identity: Array.from(pose.identity), expression: Array.from(pose.weights), region: full ? "full" : "dreamface" });
  const camera = orbitCamera({ azimuth: pose.yaw, elevation: 0, distance: DISTANCE });
  const light = directionalLight(pose.light[0], pose.light[1], { intensity: 0.75, ambient: 0.3 });
  if (!full) return render({ positions, triangles: model.regions.dreamface.triangles }, { camera, width: size, height: size, albedo: HEAD_COLOURS.skin, background: BACKGROUND, light }).image;
  const head = headMesh(model);
  return render({ positions, triangles: head.triangles, source: head.source, uv: head.uv }, { camera, width: size, height: size, texture: head.palette, background: BACKGROUND, light }).image;
}

/** Flat colours of the full head's parts (linear RGB albedo). */
export const HEAD_COLOURS: Record<string, readonly [number, number, number]> = {
  skin: [0.86, 0.66, 0.55],
  mouthSocket: [0.4, 0.16, 0.16],
  eyeSocket: [0.78, 0.5, 0.45],
  gumsAndTongue: [0.72, 0.32, 0.32],
  teeth: [0.92, 0.9, 0.82],
  sclera: [0.92, 0.91, 0.88],
  iris: [0.28, 0.18, 0.1],
  pupil: [0.03, 0.03, 0.03],
  eyelashes: [0.1, 0.08, 0.07],
};

// ICT's eyeball is two spheres: the outer shell (material M_Sclera*, with the cornea's bulge; a
// transparent layer in ICT's shaders) and the inner, textured eye (M_Iris*). Without ICT's eye
// texture the inner sphere is painted by the angle from its centre's forward (+z) axis: the iris
// disc (an 11.7 mm iris on a 12 mm-radius eye: 29°) with its pupil (11°), white around.
const IRIS_DEGREES = 29, PUPIL_DEGREES = 11;

/** Which colour a polygon gets (null: a transparent layer, not drawn), from ICT's sub-geometry and material. */
function partOf(subGeometry: string, material: string, eyeAngle: () => number): string | null {
  if (subGeometry === "face" || subGeometry === "headAndNeck") return "skin";
  if (subGeometry === "mouthSocket" || subGeometry === "gumsAndTongue" || subGeometry === "teeth") return subGeometry;
  if (subGeometry.startsWith("eyeSocket")) return "eyeSocket";
  if (subGeometry.startsWith("eyeball")) {
    if (!material.startsWith("M_Iris")) return null;
    const angle = eyeAngle();
    return angle < PUPIL_DEGREES ? "pupil" : angle < IRIS_DEGREES ? "iris" : "sclera";
  }
  if (subGeometry.startsWith("eyelashes")) return "eyelashes";
  return null; // lacrimal fluid, eye blend, eye occlusion
}

export interface HeadMesh {
  /** Render vertex → model vertex (one copy per part a vertex is used by). */
  source: Uint32Array;
  /** Each render vertex's UV: the centre of its part's texel in `palette`. */
  uv: Float32Array;
  triangles: Uint32Array;
  palette: { data: Float32Array; width: number; height: number; channels: 3 };
  /** Triangles per part (for tests). */
  parts: Record<string, number>;
}

const headMeshes = new WeakMap<FaceModel, HeadMesh>();

/** The full head split by part, so each part samples its own flat colour. */
export function headMesh(model: FaceModel): HeadMesh {
  const cached = headMeshes.get(model);
  if (cached) return cached;
  const P = model.polygonStart.length - 1;
  const subs = ICT_SUB_GEOMETRIES;
  const groups = model.materialGroups ?? [];
  if (model.subset === "dreamface" || P <= subs[subs.length - 1]!.polygonEnd || !groups.length) {
    throw new Error("full-head render: the face model lacks the full head's sub-geometries or materials (a region-only payload?)");
  }
  const names = Object.keys(HEAD_COLOURS);
  const palette = { data: Float32Array.from(names.flatMap((n) => HEAD_COLOURS[n]!)), width: names.length, height: 1, channels: 3 as const };
  const key = new Map<number, number>(); // part * V + vertex → render vertex
  const source: number[] = [], uv: number[] = [], tris: number[] = [];
  const parts: Record<string, number> = {};
  const T = model.neutral;
  // Each eye's centre: the mean of its inner sphere's vertices (on the neutral).
  const centres = new Map<string, number[]>();
  let g = 0, m = 0;
  for (let p = 0; p < P; p++) {
    while (g + 1 < subs.length && p > subs[g]!.polygonEnd) g++;
    while (m + 1 < groups.length && p >= groups[m + 1]!.firstPolygon) m++;
    const corners = model.polygonVertices.subarray(model.polygonStart[p]!, model.polygonStart[p + 1]!);
    const eyeAngle = () => {
      const centre = centres.get(groups[m]!.name) ?? eyeCentre(model, groups[m]!.firstPolygon, groups[m + 1]?.firstPolygon ?? P);
      centres.set(groups[m]!.name, centre);
      const d = [0, 1, 2].map((a) => corners.reduce((sum, v) => sum + T[v * 3 + a]!, 0) / corners.length - centre[a]!);
      return (Math.acos(d[2]! / Math.hypot(d[0]!, d[1]!, d[2]!)) * 180) / Math.PI;
    };
    const part = partOf(subs[g]!.name, groups[m]!.name, eyeAngle);
    if (!part) continue;
    const k = names.indexOf(part);
    const local = Uint32Array.from(corners, (v) => {
      const id = k * model.vertexCount + v;
      let s = key.get(id);
      if (s === undefined) { s = source.length; key.set(id, s); source.push(v); uv.push((k + 0.5) / names.length, 0.5); }
      return s;
    });
    const t = triangulate(Uint32Array.of(0, local.length), local);
    for (const x of t) tris.push(x);
    parts[part] = (parts[part] ?? 0) + t.length / 3;
  }
  const mesh: HeadMesh = { source: Uint32Array.from(source), uv: Float32Array.from(uv), triangles: Uint32Array.from(tris), palette, parts };
  headMeshes.set(model, mesh);
  return mesh;
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

/** The mean of the neutral's vertices over polygons [first, end) (each vertex once). */
function eyeCentre(model: FaceModel, first: number, end: number): number[] {
  const seen = new Set<number>();
  for (let c = model.polygonStart[first]!; c < model.polygonStart[end]!; c++) seen.add(model.polygonVertices[c]!);
  const sum = [0, 0, 0];
  for (const v of seen) for (let a = 0; a < 3; a++) sum[a] += model.neutral[v * 3 + a]!;
  return sum.map((x) => x / seen.size);
}

/** A seeded identity: `count` modes drawn N(0, scale²) (ICT's modes are normalized to unit variance). */
export function randomIdentity(seed: number, count = 10, scale = 1): number[] {
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => rng.normal() * scale);
}
