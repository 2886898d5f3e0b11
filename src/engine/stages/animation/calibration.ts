/**
 * Tracker calibration: how MediaPipe's landmarks respond to each ICT expression, learned by
 * rendering ICT with known weights and detecting (data-loaders/animation/build-calibration.ts).
 *
 * MediaPipe's 468 points are not ICT surface points: its lip, eyelid and brow contours slide
 * over the skin as the face moves, so the geometric correspondence's modes (where an ICT
 * surface point goes) under- or mis-state what the tracker reports. The calibration replaces
 * the x, y of each expression mode with the measured landmark response, unprojected to ICT model
 * space through the known render camera; z stays the geometric one (MediaPipe's depth is a
 * learned guess with its own scale). A per-landmark neutral bias (detected − geometric, on the
 * neutral faces) moves the neutral to where MediaPipe puts its points.
 */
import type { LandmarkBasis } from "./correspondence.js";

export interface TrackerCalibration {
  version: number;
  count: number;
  /** Expression names the modes belong to (model order; the rest keep geometric modes). */
  names: readonly string[];
  /** `[N*2]` model-space x, y offset of MediaPipe's neutral landmarks from the geometric ones. */
  neutralBias: Float32Array;
  /** Per name: `[N*2]` model-space x, y landmark displacement per unit weight. */
  modes: readonly Float32Array[];
  /** Per name: the RMS (cm) of the mode's landmark response, a measure of how observable it is. */
  strength: Float32Array;
  /**
   * MediaPipe's structured noise (version ≥ 2): `[N*2]` model-space x, y directions scaled by
   * their standard deviation (cm), and the isotropic rest's standard deviation.
   */
  noise?: { modes: readonly Float32Array[]; floor: number };
}

/** The render camera the calibration unprojects through (orbit camera, frontal). */
export interface FrontalCamera {
  /** Eye position (model space, cm); the camera looks down −z. */
  eye: readonly [number, number, number];
  /** Vertical field of view, degrees (square image). */
  fovY: number;
}

/**
 * MediaPipe landmark (x, y in [0, 1], y down) → model-space x, y at the model depth `z`
 * (perspective unprojection through a frontal camera).
 */
export function unprojectFrontal(mx: number, my: number, z: number, camera: FrontalCamera): [number, number] {
  const k = Math.tan((camera.fovY * Math.PI) / 360) * (camera.eye[2] - z);
  return [camera.eye[0] + (2 * mx - 1) * k, camera.eye[1] + (1 - 2 * my) * k];
}

/** The geometric basis with the calibration's x, y response in place of its own. */
export function calibratedBasis(basis: LandmarkBasis, calibration: TrackerCalibration): LandmarkBasis {
  if (calibration.count !== basis.count) throw new Error(`calibration has ${calibration.count} landmarks, basis ${basis.count}`);
  const N = basis.count;
  const neutral = Float32Array.from(basis.neutral);
  for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) neutral[i * 3 + a] += calibration.neutralBias[i * 2 + a]!;
  const modes = basis.modes.map((m, j) => {
    const c = calibration.names.indexOf(basis.names[j]!);
    if (c < 0) return m;
    const out = Float32Array.from(m);
    const cm = calibration.modes[c]!;
    for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) out[i * 3 + a] = cm[i * 2 + a]!;
    return out;
  });
  const noise = calibration.noise && {
    floor: calibration.noise.floor,
    modes: calibration.noise.modes.map((m) => {
      const out = new Float32Array(N * 3);
      for (let i = 0; i < N; i++) for (let a = 0; a < 2; a++) out[i * 3 + a] = m[i * 2 + a]!;
      return out;
    }),
  };
  return { ...basis, neutral, modes, ...(noise ? { noise } : {}) };
}

/** JSON form for the browser (plain arrays; src/data/tracker-calibration.json.ts). */
export interface CalibrationJson {
  version: number;
  count: number;
  names: string[];
  strength: number[];
  neutralBias: number[];
  modes: number[][];
  noise?: { floor: number; modes: number[][] };
}

export function calibrationToJson(c: TrackerCalibration): CalibrationJson {
  const r = (a: Float32Array) => Array.from(a, (v) => Math.round(v * 1e4) / 1e4);
  return {
    version: c.version, count: c.count, names: [...c.names], strength: Array.from(c.strength), neutralBias: r(c.neutralBias), modes: c.modes.map(r),
    ...(c.noise ? { noise: { floor: c.noise.floor, modes: c.noise.modes.map(r) } } : {}),
  };
}

export function calibrationFromJson(j: CalibrationJson): TrackerCalibration {
  if (j.modes.length !== j.names.length || j.neutralBias.length !== j.count * 2) throw new Error("calibration: malformed JSON");
  return {
    version: j.version, count: j.count, names: j.names, strength: Float32Array.from(j.strength), neutralBias: Float32Array.from(j.neutralBias), modes: j.modes.map((m) => Float32Array.from(m)),
    ...(j.noise ? { noise: { floor: j.noise.floor, modes: j.noise.modes.map((m) => Float32Array.from(m)) } } : {}),
  };
}
