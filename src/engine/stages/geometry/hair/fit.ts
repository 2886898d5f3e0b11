/**
 * Artist-made hair on a generated head: the artist models on ICT's neutral head (anchor
 * "ict-full-head", cm, +y up, face towards +z); each hair vertex then moves with the
 * displacement (carved − neutral) of its nearest scalp-capable head vertex, so the hair
 * follows the head's shape the way the paper's artist library sits on its heads.
 */
import { SCALP_VERTEX_END } from "./scalp.js";
import type { HairMesh } from "./mesh.js";

export interface Box {
  readonly min: readonly [number, number, number];
  readonly max: readonly [number, number, number];
}

export function boundingBox(positions: Float32Array, count = positions.length / 3): Box {
  const min: [number, number, number] = [Infinity, Infinity, Infinity], max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  for (let v = 0; v < count; v++)
    for (let k = 0; k < 3; k++) {
      const x = positions[3 * v + k]!;
      if (x < min[k]!) min[k] = x;
      if (x > max[k]!) max[k] = x;
    }
  return { min, max };
}

const fmt = (b: Box) => `[${b.min.map((x) => x.toFixed(1)).join(", ")}] – [${b.max.map((x) => x.toFixed(1)).join(", ")}]`;

/**
 * Why `hair` cannot have been authored on the neutral head, or undefined if it plausibly was:
 * finite values, indices in range, and a bounding box that overlaps the head's and is
 * between 0.3× and 3× its size (a mesh in metres or millimetres fails this).
 */
export function hairProblem(hair: HairMesh, neutralHead: Float32Array): string | undefined {
  const V = hair.positions.length / 3;
  if (V === 0 || hair.triangles.length === 0) return "the mesh has no vertices or no triangles";
  if (hair.triangles.length % 3 !== 0) return "the triangle index count is not a multiple of 3";
  for (let i = 0; i < hair.positions.length; i++) if (!Number.isFinite(hair.positions[i]!)) return `vertex ${Math.floor(i / 3)} has a non-finite coordinate`;
  for (let i = 0; i < hair.triangles.length; i++) if (hair.triangles[i]! >= V) return `triangle ${Math.floor(i / 3)} uses vertex ${hair.triangles[i]} of ${V}`;
  const h = boundingBox(hair.positions), head = boundingBox(neutralHead, SCALP_VERTEX_END + 1);
  const size = (b: Box) => Math.max(b.max[0] - b.min[0], b.max[1] - b.min[1], b.max[2] - b.min[2]);
  const ratio = size(h) / size(head);
  const where = `hair box ${fmt(h)} cm vs ICT neutral head box ${fmt(head)} cm`;
  if (ratio < 0.3 || ratio > 3) return `its size is ${ratio.toFixed(3)}× the ICT neutral head's (${where}); the library expects ICT units (cm): is the file in metres or millimetres?`;
  for (let k = 0; k < 3; k++)
    if (h.max[k]! < head.min[k]! || h.min[k]! > head.max[k]!) return `it does not overlap the ICT neutral head (${where}); it must be modelled on ICT's neutral head, +y up, face towards +z`;
  return undefined;
}

/** A uniform grid over the scalp-capable head vertices for nearest-vertex queries. */
class VertexGrid {
  private cells = new Map<string, number[]>();
  constructor(private p: Float32Array, count: number, private cell: number) {
    for (let v = 0; v < count; v++) {
      const k = this.key(Math.floor(p[3 * v]! / cell), Math.floor(p[3 * v + 1]! / cell), Math.floor(p[3 * v + 2]! / cell));
      let list = this.cells.get(k);
      if (!list) this.cells.set(k, (list = []));
      list.push(v);
    }
  }
  private key(i: number, j: number, k: number): string {
    return `${i},${j},${k}`;
  }
  nearest(x: number, y: number, z: number): number {
    const ci = Math.floor(x / this.cell), cj = Math.floor(y / this.cell), ck = Math.floor(z / this.cell);
    let best = -1, bestD = Infinity;
    // Grow the search shell until the best hit is closer than anything in unsearched cells.
    for (let r = 0; r < 1000; r++) {
      for (let i = ci - r; i <= ci + r; i++)
        for (let j = cj - r; j <= cj + r; j++)
          for (let k = ck - r; k <= ck + r; k++) {
            if (Math.max(Math.abs(i - ci), Math.abs(j - cj), Math.abs(k - ck)) !== r) continue;
            for (const v of this.cells.get(this.key(i, j, k)) ?? []) {
              const dx = this.p[3 * v]! - x, dy = this.p[3 * v + 1]! - y, dz = this.p[3 * v + 2]! - z;
              const d = dx * dx + dy * dy + dz * dz;
              if (d < bestD || (d === bestD && v < best)) { bestD = d; best = v; }
            }
          }
      if (best >= 0 && Math.sqrt(bestD) <= r * this.cell) return best;
    }
    return best;
  }
}

/**
 * Moves each hair vertex by (head − neutral) at its nearest scalp-capable neutral vertex.
 * `neutral` and `head` are ICT meshes in the same vertex order (≥ 11248 vertices), cm.
 */
export function fitHairToHead(hair: HairMesh, neutral: Float32Array, head: Float32Array): HairMesh {
  const n = SCALP_VERTEX_END + 1;
  if (neutral.length < n * 3 || head.length < n * 3) throw new Error(`fitHairToHead: heads need ≥ ${n} ICT vertices`);
  const grid = new VertexGrid(neutral, n, 2);
  const out = new Float32Array(hair.positions.length);
  for (let i = 0; i < out.length; i += 3) {
    const x = hair.positions[i]!, y = hair.positions[i + 1]!, z = hair.positions[i + 2]!;
    const v = grid.nearest(x, y, z);
    out[i] = x + head[3 * v]! - neutral[3 * v]!;
    out[i + 1] = y + head[3 * v + 1]! - neutral[3 * v + 1]!;
    out[i + 2] = z + head[3 * v + 2]! - neutral[3 * v + 2]!;
  }
  return { positions: out, triangles: hair.triangles.slice() };
}
