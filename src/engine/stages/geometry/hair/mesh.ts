/**
 * The pieces hairstyles are made of, on top of a selected scalp (scalp.ts):
 * - shell: the scalp offset along its normals by a thickness per vertex, closed by an inner
 *   surface just above the skin and walls along the hairline, so it is a watertight solid;
 * - curtain: cards hanging from the shell's lower edge at the sides and back (long styles);
 * - blob / tube: a bun or a ponytail, closed surfaces placed relative to the scalp.
 * All pieces append to one MeshBuilder; everything is deterministic.
 */
import type { HeadMesh, Scalp } from "./scalp.js";
import { azimuthOf } from "./scalp.js";

export interface HairMesh {
  /** `[H*3]` cm, on the head it was built for. */
  readonly positions: Float32Array;
  /** `[T*3]` indices into positions. */
  readonly triangles: Uint32Array;
}

export const EMPTY_HAIR: HairMesh = { positions: new Float32Array(0), triangles: new Uint32Array(0) };

export class MeshBuilder {
  private p: number[] = [];
  private t: number[] = [];
  get vertexCount(): number {
    return this.p.length / 3;
  }
  vertex(x: number, y: number, z: number): number {
    this.p.push(x, y, z);
    return this.p.length / 3 - 1;
  }
  triangle(a: number, b: number, c: number): void {
    this.t.push(a, b, c);
  }
  /** Quad a-b-c-d (counter-clockwise seen from outside) as two triangles. */
  quad(a: number, b: number, c: number, d: number): void {
    this.t.push(a, b, c, a, c, d);
  }
  build(): HairMesh {
    return { positions: Float32Array.from(this.p), triangles: Uint32Array.from(this.t) };
  }
}

/** Gap (cm) between the skin and the inner surface of the hair, so they never z-fight. */
export const SKIN_GAP = 0.04;

export interface ShellResult {
  /** Head vertex → index of its outer shell vertex (−1 if not in the shell). */
  readonly outer: Int32Array;
  /** Boundary edges of the shell's outer surface as head-vertex pairs [a, b] (a→b as in its triangle). */
  readonly boundary: Uint32Array;
}

/**
 * Adds a closed shell over `scalp.triangles`: outer surface at p + n·(gap + thickness(v)),
 * inner at p + n·gap, walls along the boundary. `thickness` is in cm and must be > 0.
 */
export function addShell(b: MeshBuilder, head: HeadMesh, scalp: Scalp, thickness: (v: number) => number): ShellResult {
  const { positions: p } = head;
  const n = scalp.normals;
  const V = p.length / 3;
  const outer = new Int32Array(V).fill(-1), inner = new Int32Array(V).fill(-1);
  const tris = scalp.triangles;
  for (let i = 0; i < tris.length; i++) {
    const v = tris[i]!;
    if (outer[v] !== -1) continue;
    const d = SKIN_GAP + Math.max(0.02, thickness(v));
    outer[v] = b.vertex(p[3 * v]! + d * n[3 * v]!, p[3 * v + 1]! + d * n[3 * v + 1]!, p[3 * v + 2]! + d * n[3 * v + 2]!);
    inner[v] = b.vertex(p[3 * v]! + SKIN_GAP * n[3 * v]!, p[3 * v + 1]! + SKIN_GAP * n[3 * v + 1]!, p[3 * v + 2]! + SKIN_GAP * n[3 * v + 2]!);
  }
  // Directed edge counts: an edge a→b with no b→a is on the boundary.
  const edges = new Map<number, number>();
  const key = (a: number, c: number) => a * V + c;
  for (let i = 0; i < tris.length; i += 3) {
    const a = tris[i]!, c = tris[i + 1]!, e = tris[i + 2]!;
    b.triangle(outer[a]!, outer[c]!, outer[e]!);
    b.triangle(inner[a]!, inner[e]!, inner[c]!);
    for (const [s, t] of [[a, c], [c, e], [e, a]] as const) edges.set(key(s, t), (edges.get(key(s, t)) ?? 0) + 1);
  }
  const boundary: number[] = [];
  for (let i = 0; i < tris.length; i += 3) {
    const a = tris[i]!, c = tris[i + 1]!, e = tris[i + 2]!;
    for (const [s, t] of [[a, c], [c, e], [e, a]] as const) {
      if (edges.has(key(t, s))) continue;
      boundary.push(s, t);
      // Wall: matches the outer edge s→t with t→s and the inner edge t→s with s→t.
      b.triangle(outer[t]!, outer[s]!, inner[s]!);
      b.triangle(outer[t]!, inner[s]!, inner[t]!);
    }
  }
  return { outer, boundary: Uint32Array.from(boundary) };
}

export interface CurtainOptions {
  /** Lowest point of the cards (cm, absolute y). */
  bottomY: number;
  /** Rings down each card. */
  rings: number;
  /** Only edges whose azimuth |θ| exceeds this (radians) hang: keeps the face uncovered. */
  minAzimuth: number;
  /** Cm the cards stand off the widest part of the head (ears) below the shell. */
  clearance: number;
}

/**
 * Hanging hair: from each boundary edge of the shell at the sides and back, a strip of
 * quads falls to `bottomY`, pushed out radially so it clears the ears and neck.
 */
export function addCurtain(b: MeshBuilder, head: HeadMesh, scalp: Scalp, shell: ShellResult, built: HairMesh, o: CurtainOptions): void {
  const { frame } = scalp;
  const p = head.positions;
  // Widest head radius per azimuth bin below the hairline: the cards must pass outside it.
  const BINS = 72;
  const wide = new Float32Array(BINS);
  for (let v = 0; v < scalp.above.length; v++) {
    if (!(scalp.above[v]! < 0.3) || p[3 * v + 1]! < o.bottomY) continue;
    const th = azimuthOf(frame, p[3 * v]!, p[3 * v + 2]!);
    const bin = Math.floor(((th + Math.PI) / (2 * Math.PI)) * BINS) % BINS;
    wide[bin] = Math.max(wide[bin]!, Math.hypot(p[3 * v]! - frame.cx, p[3 * v + 2]! - frame.cz));
  }
  const reach = (th: number) => {
    const bin = Math.floor(((th + Math.PI) / (2 * Math.PI)) * BINS) % BINS;
    let r = 0;
    for (let k = -3; k <= 3; k++) r = Math.max(r, wide[(bin + k + BINS) % BINS]!);
    return r + o.clearance;
  };
  const column = new Map<number, number[]>();
  const columnOf = (v: number): number[] => {
    const hit = column.get(v);
    if (hit) return hit;
    const k = shell.outer[v]!;
    const x0 = built.positions[3 * k]!, y0 = built.positions[3 * k + 1]!, z0 = built.positions[3 * k + 2]!;
    const th = Math.atan2(x0 - frame.cx, z0 - frame.cz);
    const r0 = Math.hypot(x0 - frame.cx, z0 - frame.cz);
    const r1 = Math.max(r0, reach(th));
    const x1 = frame.cx + r1 * Math.sin(th), z1 = frame.cz + r1 * Math.cos(th);
    // Hair rests on the shoulders: stop above the highest body point under the column that
    // reaches out to it (the ears are cleared radially, so they stay inside that reach).
    const inner = r1 - 0.7 * o.clearance;
    let bottom = o.bottomY;
    for (let w = 0; w < scalp.above.length; w++) {
      const y = p[3 * w + 1]!, dx = p[3 * w]! - frame.cx, dz = p[3 * w + 2]! - frame.cz;
      if (y < y0 - 3 && y + 0.6 > bottom && Math.hypot(dx, dz) > inner && Math.hypot(p[3 * w]! - x1, p[3 * w + 2]! - z1) < 1.5) bottom = y + 0.6;
    }
    const ids = [b.vertex(x0, y0, z0)];
    for (let i = 1; i <= o.rings; i++) {
      const f = i / o.rings;
      // Out to the clearance radius quickly, then straight down.
      const r = r0 + (r1 - r0) * Math.min(1, 3 * f);
      ids.push(b.vertex(frame.cx + r * Math.sin(th), y0 + (bottom - y0) * f, frame.cz + r * Math.cos(th)));
    }
    column.set(v, ids);
    return ids;
  };
  const e = shell.boundary;
  for (let i = 0; i < e.length; i += 2) {
    const s = e[i]!, t = e[i + 1]!;
    const ts = azimuthOf(frame, p[3 * s]!, p[3 * s + 2]!), tt = azimuthOf(frame, p[3 * t]!, p[3 * t + 2]!);
    if (Math.abs(ts) < o.minAzimuth || Math.abs(tt) < o.minAzimuth) continue;
    if (p[3 * s + 1]! < o.bottomY || p[3 * t + 1]! < o.bottomY) continue;
    const cs = columnOf(s), ct = columnOf(t);
    for (let k = 0; k < o.rings; k++) b.quad(ct[k]!, cs[k]!, cs[k + 1]!, ct[k + 1]!);
  }
}

type Vec3 = readonly [number, number, number];

/** A closed ellipsoid (UV sphere) centred at `c` with radii `r`. */
export function addBlob(b: MeshBuilder, c: Vec3, r: Vec3, segments = 16, rings = 10): void {
  const top = b.vertex(c[0], c[1] + r[1], c[2]);
  const rows: number[][] = [];
  for (let i = 1; i < rings; i++) {
    const phi = (Math.PI * i) / rings;
    const row: number[] = [];
    for (let j = 0; j < segments; j++) {
      const th = (2 * Math.PI * j) / segments;
      row.push(b.vertex(c[0] + r[0] * Math.sin(phi) * Math.sin(th), c[1] + r[1] * Math.cos(phi), c[2] + r[2] * Math.sin(phi) * Math.cos(th)));
    }
    rows.push(row);
  }
  const bottom = b.vertex(c[0], c[1] - r[1], c[2]);
  closeTube(b, top, rows, bottom, segments);
}

/**
 * A closed tapered tube through the points `path` with radius `radius[i]` at each: a
 * ponytail. Rings lie in the plane perpendicular to the local direction.
 */
export function addTube(b: MeshBuilder, path: readonly Vec3[], radius: readonly number[], segments = 12): void {
  const rows: number[][] = [];
  for (let i = 0; i < path.length; i++) {
    const a = path[Math.max(0, i - 1)]!, c = path[Math.min(path.length - 1, i + 1)]!;
    let d = [c[0] - a[0], c[1] - a[1], c[2] - a[2]];
    const l = Math.hypot(d[0]!, d[1]!, d[2]!) || 1;
    d = d.map((x) => x / l);
    // u ⟂ d (x axis unless d is along it), w = d × u.
    const ref = Math.abs(d[0]!) < 0.9 ? [1, 0, 0] : [0, 1, 0];
    const dot = ref[0]! * d[0]! + ref[1]! * d[1]! + ref[2]! * d[2]!;
    let u = ref.map((x, k) => x - dot * d[k]!);
    const ul = Math.hypot(u[0]!, u[1]!, u[2]!);
    u = u.map((x) => x / ul);
    const w = [d[1]! * u[2]! - d[2]! * u[1]!, d[2]! * u[0]! - d[0]! * u[2]!, d[0]! * u[1]! - d[1]! * u[0]!];
    const row: number[] = [];
    for (let j = 0; j < segments; j++) {
      const th = (2 * Math.PI * j) / segments, cs = Math.cos(th) * radius[i]!, sn = Math.sin(th) * radius[i]!;
      const q = path[i]!;
      row.push(b.vertex(q[0] + cs * u[0]! + sn * w[0]!, q[1] + cs * u[1]! + sn * w[1]!, q[2] + cs * u[2]! + sn * w[2]!));
    }
    rows.push(row);
  }
  // Rings advance along d and turn from u to w = d × u: the opposite winding of addBlob's, so walk them backwards.
  const first = path[0]!, last = path[path.length - 1]!;
  closeTube(b, b.vertex(last[0], last[1], last[2]), rows.reverse(), b.vertex(first[0], first[1], first[2]), segments);
}

/** Fans at both ends, quads between rows; orientation chosen so normals point outwards for addBlob. */
function closeTube(b: MeshBuilder, start: number, rows: number[][], end: number, segments: number): void {
  const first = rows[0]!, last = rows[rows.length - 1]!;
  for (let j = 0; j < segments; j++) {
    const j1 = (j + 1) % segments;
    b.triangle(start, first[j]!, first[j1]!);
    b.triangle(end, last[j1]!, last[j]!);
  }
  for (let i = 0; i + 1 < rows.length; i++) {
    const r0 = rows[i]!, r1 = rows[i + 1]!;
    for (let j = 0; j < segments; j++) {
      const j1 = (j + 1) % segments;
      b.quad(r0[j]!, r1[j]!, r1[j1]!, r0[j1]!);
    }
  }
}
