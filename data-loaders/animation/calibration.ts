// The committed tracker calibration (built by build-calibration.ts): a small JSON header
// (names, scale, strengths) beside an int16 little-endian binary of the neutral bias and the
// modes' x, y responses (then, from version 2, the noise modes), in units of `scale` cm.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeFileAtomic, writeJsonAtomic } from "../io/atomic.js";
import type { TrackerCalibration } from "../../src/engine/stages/animation/calibration.js";

export const CALIBRATION_JSON = fileURLToPath(new URL("./tracker-calibration.json", import.meta.url));
export const CALIBRATION_BIN = fileURLToPath(new URL("./tracker-calibration.bin", import.meta.url));
const SCALE = 2e-4; // cm per int16 step: ±6.5 cm range, 2 µm resolution

interface Header {
  version: number;
  count: number;
  names: string[];
  scale: number;
  strength: number[];
  /** Noise modes after the expression modes (version ≥ 2), and the isotropic floor (cm). */
  noiseModes?: number;
  noiseFloor?: number;
  [extra: string]: unknown;
}

/** The binary beside a calibration header `NAME.json`: `NAME.bin`. */
export function calibrationBin(json: string): string {
  return json.replace(/\.json$/, "") + ".bin";
}

/** Writes `json` (default: the committed calibration) and its binary beside it. */
export function writeCalibration(c: TrackerCalibration, extra: Record<string, unknown> = {}, json = CALIBRATION_JSON): void {
  const parts = [c.neutralBias, ...c.modes, ...(c.noise?.modes ?? [])];
  const q = new Int16Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    for (let i = 0; i < p.length; i++) {
      const v = Math.round(p[i]! / SCALE);
      if (Math.abs(v) > 32767) throw new Error(`calibration value ${p[i]} cm out of the int16 range`);
      q[o++] = v;
    }
  }
  writeFileAtomic(calibrationBin(json), new Uint8Array(q.buffer));
  const header: Header = {
    version: c.version, count: c.count, names: [...c.names], scale: SCALE, strength: Array.from(c.strength, (s) => Math.round(s * 1e4) / 1e4),
    ...(c.noise ? { noiseModes: c.noise.modes.length, noiseFloor: Math.round(c.noise.floor * 1e6) / 1e6 } : {}), ...extra,
  };
  writeJsonAtomic(json, header);
}

/** The calibration at `json` + its `.bin` (default: the committed one), or null when it has not been built. */
export function loadCalibration(json = CALIBRATION_JSON): TrackerCalibration | null {
  const bin = calibrationBin(json);
  if (!existsSync(json) || !existsSync(bin)) return null;
  const h = JSON.parse(readFileSync(json, "utf8")) as Header;
  const bytes = readFileSync(bin);
  const q = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const n2 = h.count * 2;
  const K = h.noiseModes ?? 0;
  const expected = n2 * (1 + h.names.length + K);
  if (q.length !== expected) throw new Error(`${bin}: expected ${expected} values, found ${q.length}`);
  const part = (k: number) => Float32Array.from(q.subarray(k * n2, (k + 1) * n2), (v) => v * h.scale);
  const J = h.names.length;
  return {
    version: h.version, count: h.count, names: h.names, neutralBias: part(0), modes: h.names.map((_, j) => part(j + 1)), strength: Float32Array.from(h.strength),
    ...(K ? { noise: { modes: Array.from({ length: K }, (_, k) => part(1 + J + k)), floor: h.noiseFloor ?? 0 } } : {}),
  };
}
