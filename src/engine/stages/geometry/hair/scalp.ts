/**
 * Where hair may grow on an ICT head: a hairline whose height depends on the direction around
 * the head (high at the forehead, just above the ears at the sides, down to the nape at the
 * back), measured from the head's own landmarks so it follows any identity β and any carving.
 *
 * Units: cm, ICT's frame (+y up, the face looks along +z). Heights are in "brow units":
 * u = brow line − nose tip height (≈ 5.5 cm on the mean face), so a style means the same
 * anatomical region on a small or a large head.
 */
import { vertexNormals } from "../../../face/normals.js";

/** The surface hair can cover: ICT's "face" and "headAndNeck" sub-geometries (vertices 0–11247). */
export const SCALP_VERTEX_END = 11247;

/** A head to grow hair on: the dreamface region (or the whole head) of an ICT mesh. */
export interface HeadMesh {
  /** `[V*3]` cm, ICT vertex order (V ≥ 11248). */
  readonly positions: Float32Array;
  /** `[T*3]` triangles over those vertices (e.g. `model.regions.dreamface.triangles`). */
  readonly triangles: Uint32Array;
  /** Multi-PIE 68 landmark vertex indices (`model.landmarks68`). */
  readonly landmarks68: ArrayLike<number>;
}

export interface HeadFrame {
  /** Vertical axis of the skull (x, z). */
  readonly cx: number;
  readonly cz: number;
  /** Mean height of the 10 eyebrow landmarks. */
  readonly browY: number;
  /** Brow units: browY − nose tip height. */
  readonly unit: number;
  /** Highest scalp vertex. */
  readonly topY: number;
  /** Largest horizontal distance of a scalp vertex from the axis. */
  readonly radius: number;
}

/** Hairline heights in brow units above the brow line, at the front (0°), the sides (90°) and the back (180°). */
export interface Hairline {
  readonly front: number;
  readonly side: number;
  readonly back: number;
}

export const DEFAULT_HAIRLINE: Hairline = { front: 0.85, side: -0.2, back: -1.1 };

export function headFrame(head: HeadMesh): HeadFrame {
  const p = head.positions;
  if (p.length < (SCALP_VERTEX_END + 1) * 3) throw new Error(`hair: the head has ${p.length / 3} vertices; an ICT head (≥ ${SCALP_VERTEX_END + 1}) is needed`);
  if (head.landmarks68.length !== 68) throw new Error(`hair: expected 68 landmarks, got ${head.landmarks68.length}`);
  let browY = 0;
  for (let k = 17; k <= 26; k++) browY += p[3 * head.landmarks68[k]! + 1]!;
  browY /= 10;
  const unit = browY - p[3 * head.landmarks68[30]! + 1]!;
  if (!(unit > 0)) throw new Error("hair: the brow landmarks are not above the nose tip; is this an ICT head in ICT's frame (+y up)?");
  // The skull's vertical axis: centre of the bounding box of the cranium (above the brow).
  let x0 = Infinity, x1 = -Infinity, z0 = Infinity, z1 = -Infinity, topY = -Infinity;
  for (let v = 0; v <= SCALP_VERTEX_END; v++) {
    const x = p[3 * v]!, y = p[3 * v + 1]!, z = p[3 * v + 2]!;
    if (y > topY) topY = y;
    if (y < browY) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  const cx = (x0 + x1) / 2, cz = (z0 + z1) / 2;
  let radius = 0;
  for (let v = 0; v <= SCALP_VERTEX_END; v++) radius = Math.max(radius, Math.hypot(p[3 * v]! - cx, p[3 * v + 2]! - cz));
  return { cx, cz, browY, unit, topY, radius };
}

export const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Azimuth around the skull axis in radians: 0 = front (+z), ±π/2 = sides, ±π = back. */
export function azimuthOf(frame: HeadFrame, x: number, z: number): number {
  return Math.atan2(x - frame.cx, z - frame.cz);
}

/** Hairline height (cm) at azimuth θ: front → side → back, smooth in between. */
export function hairlineY(frame: HeadFrame, line: Hairline, theta: number): number {
  const w = (1 - Math.cos(theta)) / 2; // 0 front, 0.5 side, 1 back
  // The forehead line turns down at the temples (w ≈ 0.3, θ ≈ 65°) and holds above the ears.
  const h = w < 0.5 ? line.front + (line.side - line.front) * smoothstep(0.04, 0.3, w) : line.side + (line.back - line.side) * smoothstep(0.5, 1, w);
  return frame.browY + h * frame.unit;
}

export interface Scalp {
  readonly frame: HeadFrame;
  /** `[V*3]` outward unit normals of the whole head. */
  readonly normals: Float32Array;
  /** Per head vertex: height above the hairline in brow units (negative = below it, NaN = not scalp-capable). */
  readonly above: Float32Array;
  /** Triangles of the head whose corners are all above the hairline. */
  readonly triangles: Uint32Array;
}

/** The part of the head above `line`, with normals and each vertex's height above the hairline. */
export function selectScalp(head: HeadMesh, line: Hairline = DEFAULT_HAIRLINE): Scalp {
  const frame = headFrame(head);
  const p = head.positions;
  const normals = vertexNormals(p, head.triangles);
  const V = p.length / 3;
  const above = new Float32Array(V).fill(NaN);
  for (let v = 0; v <= SCALP_VERTEX_END; v++) {
    const theta = azimuthOf(frame, p[3 * v]!, p[3 * v + 2]!);
    above[v] = (p[3 * v + 1]! - hairlineY(frame, line, theta)) / frame.unit;
  }
  const tris: number[] = [];
  const t = head.triangles;
  for (let i = 0; i < t.length; i += 3) {
    const a = t[i]!, b = t[i + 1]!, c = t[i + 2]!;
    if (above[a]! >= 0 && above[b]! >= 0 && above[c]! >= 0) tris.push(a, b, c);
  }
  return { frame, normals, above, triangles: Uint32Array.from(tris) };
}
