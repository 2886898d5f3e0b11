/**
 * Cameras and lights (the paper's Sec. 4.1–4.2 distributions).
 *
 * Conventions (same as three.js / WebGL, so an independent renderer can reproduce our
 * images): right-handed world, the ICT face looks along +z with +y up; matrices are
 * column-major `Float32Array(16)`; clip space is OpenGL's (NDC z ∈ [−1, 1]). Angles in
 * the options are degrees. Azimuth rotates the eye about the +y axis through the target:
 * 0° = front (eye on +z), +45° = the face's left side (eye towards +x).
 */
import type { Camera, DirectionalLight, Mat4 } from "./types.js";
import type { Rng } from "../util/rng.js";

export type Vec3 = readonly [number, number, number];

/** Framing of the ICT "dreamface" region (cm): centred on the face, whole head in view. */
export const FACE_TARGET: Vec3 = [0, -1.5, 1];
export const FACE_DISTANCE = 72;
export const FACE_FOV_Y = 30;

export interface PerspectiveOptions {
  eye: Vec3;
  target?: Vec3;
  up?: Vec3;
  /** Vertical field of view, degrees. */
  fovY?: number;
  /** Width / height. */
  aspect?: number;
  near?: number;
  far?: number;
}

/** A look-at perspective camera (three.js PerspectiveCamera + lookAt equivalent). */
export function perspectiveCamera({ eye, target = FACE_TARGET, up = [0, 1, 0], fovY = FACE_FOV_Y, aspect = 1, near = 1, far = 1000 }: PerspectiveOptions): Camera {
  const view = lookAt(eye, target, up);
  const proj = perspective(fovY, aspect, near, far);
  return { view, viewProjection: multiply(proj, view), eye: [eye[0], eye[1], eye[2]] };
}

export interface OrbitOptions {
  /** Degrees about +y; 0 = front. */
  azimuth?: number;
  /** Degrees above the horizontal plane through the target. */
  elevation?: number;
  distance?: number;
  target?: Vec3;
  fovY?: number;
  aspect?: number;
  near?: number;
  far?: number;
}

/** A camera on a sphere around `target` looking at it. */
export function orbitCamera({ azimuth = 0, elevation = 0, distance = FACE_DISTANCE, target = FACE_TARGET, ...rest }: OrbitOptions = {}): Camera {
  const a = (azimuth * Math.PI) / 180;
  const e = (elevation * Math.PI) / 180;
  const eye: Vec3 = [
    target[0] + distance * Math.cos(e) * Math.sin(a),
    target[1] + distance * Math.sin(e),
    target[2] + distance * Math.cos(e) * Math.cos(a),
  ];
  return perspectiveCamera({ eye, target, ...rest });
}

/** The paper's three fixed ranking views: front, and the ¾ views at ∓45° azimuth. */
export function rankingViews(opts: Omit<OrbitOptions, "azimuth"> = {}): Camera[] {
  return [0, -45, 45].map((azimuth) => orbitCamera({ ...opts, azimuth }));
}

export interface SampleOrbitOptions extends Omit<OrbitOptions, "azimuth" | "elevation"> {
  /** Degrees, uniform; the paper's arc is [−45, 45]. */
  azimuthRange?: readonly [number, number];
  /** Degrees, uniform; [0, 0] (the paper's arc is horizontal) unless set. */
  elevationRange?: readonly [number, number];
}

/** A random optimisation view: azimuth uniform on the arc around the front view. */
export function sampleOrbitCamera(rng: Rng, { azimuthRange = [-45, 45], elevationRange = [0, 0], ...rest }: SampleOrbitOptions = {}): Camera & { azimuth: number; elevation: number } {
  const azimuth = rng.range(azimuthRange[0], azimuthRange[1]);
  const elevation = elevationRange[0] === elevationRange[1] ? elevationRange[0] : rng.range(elevationRange[0], elevationRange[1]);
  return { ...orbitCamera({ ...rest, azimuth, elevation }), azimuth, elevation };
}

export interface LightOptions {
  intensity?: number;
  ambient?: number;
}

/** A directional light uniformly distributed over the front hemisphere (direction·(0,0,1) ≥ 0). */
export function sampleFrontLight(rng: Rng, { intensity = 0.8, ambient = 0.25 }: LightOptions = {}): DirectionalLight {
  // Uniform on the sphere (normalised Gaussian), folded into z ≥ 0.
  let x = 0, y = 0, z = 0, n = 0;
  while (n < 1e-9) {
    x = rng.normal(); y = rng.normal(); z = rng.normal();
    n = Math.hypot(x, y, z);
  }
  return { direction: [x / n, y / n, Math.abs(z) / n], intensity, ambient };
}

/** A light from spherical angles (degrees): azimuth about +y (0 = from the front), elevation up. */
export function directionalLight(azimuth: number, elevation: number, { intensity = 0.8, ambient = 0.25 }: LightOptions = {}): DirectionalLight {
  const a = (azimuth * Math.PI) / 180;
  const e = (elevation * Math.PI) / 180;
  return { direction: [Math.cos(e) * Math.sin(a), Math.sin(e), Math.cos(e) * Math.cos(a)], intensity, ambient };
}

/** The 10 fixed ranking lights: frontal, a ring of 8 at 45° off-axis, and one from above. */
export function rankingLights(opts: LightOptions = {}): DirectionalLight[] {
  const lights = [directionalLight(0, 0, opts)];
  for (let k = 0; k < 8; k++) {
    const phi = (k * Math.PI) / 4;
    // A cone of half-angle 45° around the front axis.
    const s = Math.SQRT1_2;
    const dir: Vec3 = [s * Math.cos(phi), s * Math.sin(phi), Math.SQRT1_2];
    lights.push({ direction: dir, intensity: opts.intensity ?? 0.8, ambient: opts.ambient ?? 0.25 });
  }
  lights.push(directionalLight(0, 70, opts));
  return lights;
}

// ---- column-major matrix helpers ----

export function lookAt(eye: Vec3, target: Vec3, up: Vec3): Mat4 {
  let zx = eye[0] - target[0], zy = eye[1] - target[1], zz = eye[2] - target[2];
  const zl = Math.hypot(zx, zy, zz);
  if (zl === 0) throw new Error("lookAt: eye and target coincide");
  zx /= zl; zy /= zl; zz /= zl;
  let xx = up[1] * zz - up[2] * zy, xy = up[2] * zx - up[0] * zz, xz = up[0] * zy - up[1] * zx;
  const xl = Math.hypot(xx, xy, xz);
  if (xl === 0) throw new Error("lookAt: up is parallel to the view direction");
  xx /= xl; xy /= xl; xz /= xl;
  const yx = zy * xz - zz * xy, yy = zz * xx - zx * xz, yz = zx * xy - zy * xx;
  const m = new Float32Array(16);
  m[0] = xx; m[4] = xy; m[8] = xz; m[12] = -(xx * eye[0] + xy * eye[1] + xz * eye[2]);
  m[1] = yx; m[5] = yy; m[9] = yz; m[13] = -(yx * eye[0] + yy * eye[1] + yz * eye[2]);
  m[2] = zx; m[6] = zy; m[10] = zz; m[14] = -(zx * eye[0] + zy * eye[1] + zz * eye[2]);
  m[15] = 1;
  return m;
}

/** OpenGL perspective projection (three.js makePerspective with a symmetric frustum). */
export function perspective(fovYDeg: number, aspect: number, near: number, far: number): Mat4 {
  if (!(fovYDeg > 0 && fovYDeg < 180)) throw new Error(`perspective: fovY must be in (0, 180) degrees, got ${fovYDeg}`);
  if (!(near > 0 && far > near)) throw new Error(`perspective: need 0 < near < far, got near=${near} far=${far}`);
  const f = 1 / Math.tan((fovYDeg * Math.PI) / 360);
  const m = new Float32Array(16);
  m[0] = f / aspect;
  m[5] = f;
  m[10] = -(far + near) / (far - near);
  m[11] = -1;
  m[14] = (-2 * far * near) / (far - near);
  return m;
}

export function multiply(a: Mat4, b: Mat4): Mat4 {
  const out = new Float32Array(16);
  for (let c = 0; c < 4; c++)
    for (let r = 0; r < 4; r++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[k * 4 + r]! * b[c * 4 + k]!;
      out[c * 4 + r] = s;
    }
  return out;
}
