/**
 * The procedural hairstyle library: each style is a few numbers (hairline, thickness profile,
 * optional curls, parting, hanging curtain, bun or ponytail) turned into a mesh on the head
 * it is given, so it fits any identity β and any carved head. Lengths are in brow units
 * (scalp.ts) unless marked cm. Stand-ins for the paper's 16 artist-made styles, which are
 * not public; artist meshes can be added through data-loaders/geometry/hair-library.ts.
 */
import { Rng } from "../../../util/rng.js";
import { DEFAULT_HAIRLINE, selectScalp, smoothstep, type Hairline, type HeadMesh, type Scalp } from "./scalp.js";
import { EMPTY_HAIR, MeshBuilder, addBlob, addCurtain, addShell, addTube, SKIN_GAP, type HairMesh } from "./mesh.js";

export interface ProceduralStyle {
  readonly name: string;
  readonly description: string;
  /** null = bald (no mesh). */
  readonly hairline: Hairline | null;
  /** Shell thickness (cm) where the scalp faces up and where it faces sideways. */
  readonly top: number;
  readonly side: number;
  /** Brow units above the hairline over which the thickness grows from 0 to full. */
  readonly fade: number;
  /** Lumpy volume: relative amplitude and wavelength (cm). */
  readonly curls?: { readonly amplitude: number; readonly wavelength: number };
  /** A parting at x = offset (brow units, +x = the face's left) with a groove `depth` (0–1) and volume shifted away from it. */
  readonly part?: { readonly offset: number; readonly depth: number };
  /** Cards hanging from the sides and back down to `bottom` brow units below the brow line. */
  readonly curtain?: { readonly bottom: number; readonly minAzimuthDeg: number };
  readonly bun?: { readonly radius: number; readonly elevationDeg: number };
  readonly ponytail?: { readonly radius: number; readonly length: number; readonly elevationDeg: number };
}

const L = DEFAULT_HAIRLINE;

export const PROCEDURAL_STYLES: readonly ProceduralStyle[] = [
  { name: "bald", description: "no hair", hairline: null, top: 0, side: 0, fade: 0 },
  { name: "buzz cut", description: "a few millimetres all over", hairline: L, top: 0.3, side: 0.22, fade: 0.08 },
  { name: "short crop", description: "short, a little fuller on top", hairline: L, top: 1.4, side: 0.6, fade: 0.15 },
  {
    name: "side part", description: "medium length parted on one side, volume swept over",
    hairline: { ...L, front: 0.85 }, top: 2.0, side: 1.0, fade: 0.2, part: { offset: 0.45, depth: 0.75 },
  },
  {
    name: "bob", description: "chin-length bob with a fringe",
    hairline: { front: 0.55, side: 0.25, back: -1.3 }, top: 1.5, side: 1.4, fade: 0.05, curtain: { bottom: -2.3, minAzimuthDeg: 62 },
  },
  {
    name: "long straight", description: "long straight hair past the shoulders",
    hairline: { front: 0.9, side: 0.25, back: -1.3 }, top: 1.2, side: 1.1, fade: 0.05, curtain: { bottom: -4.4, minAzimuthDeg: 66 },
  },
  {
    name: "bun", description: "hair pulled back into a bun",
    hairline: L, top: 0.6, side: 0.45, fade: 0.1, bun: { radius: 0.75, elevationDeg: 35 },
  },
  {
    name: "ponytail", description: "hair pulled back into a ponytail",
    hairline: L, top: 0.6, side: 0.45, fade: 0.1, ponytail: { radius: 0.32, length: 3.2, elevationDeg: 5 },
  },
  {
    name: "afro", description: "voluminous curly afro",
    hairline: { ...L, front: 0.8 }, top: 4.5, side: 3.8, fade: 0.25, curls: { amplitude: 0.18, wavelength: 3.5 },
  },
];

export function styleByName(name: string, styles: readonly ProceduralStyle[] = PROCEDURAL_STYLES): ProceduralStyle {
  const s = styles.find((x) => x.name === name);
  if (!s) throw new Error(`unknown hairstyle "${name}"; known: ${styles.map((x) => x.name).join(", ")}`);
  return s;
}

/** Smooth deterministic lumps in [−1, 1]: a sum of plane waves with seeded directions and phases. */
function lumps(seed: number, name: string, wavelength: number): (x: number, y: number, z: number) => number {
  const rng = Rng.derive(seed, "hair-curls", name);
  const waves = Array.from({ length: 6 }, () => {
    const d = [rng.normal(), rng.normal(), rng.normal()];
    const l = Math.hypot(d[0]!, d[1]!, d[2]!) || 1;
    const k = (2 * Math.PI) / (wavelength * rng.range(0.7, 1.3));
    return { d: d.map((x) => (x / l) * k), phase: rng.range(0, 2 * Math.PI) };
  });
  return (x, y, z) => waves.reduce((s, w) => s + Math.sin(w.d[0]! * x + w.d[1]! * y + w.d[2]! * z + w.phase), 0) / Math.sqrt(waves.length * 2);
}

/** Thickness (cm) per scalp vertex for a style. */
function thicknessField(style: ProceduralStyle, head: HeadMesh, scalp: Scalp, seed: number): (v: number) => number {
  const p = head.positions, n = scalp.normals, { frame } = scalp;
  const curl = style.curls ? lumps(seed, style.name, style.curls.wavelength) : undefined;
  return (v) => {
    const up = Math.max(0, n[3 * v + 1]!);
    let t = (style.side + (style.top - style.side) * up) * (style.fade > 0 ? smoothstep(0, style.fade, scalp.above[v]!) : 1);
    const x = p[3 * v]!, y = p[3 * v + 1]!, z = p[3 * v + 2]!;
    if (style.part) {
      const dx = (x - frame.cx) / frame.unit - style.part.offset;
      // The groove runs from the forehead to the crown on the upper half of the head.
      const groove = Math.exp(-(dx * dx) / 0.02) * smoothstep(0.3, 0.7, up) * smoothstep(-0.5, 0.5, (z - frame.cz) / frame.unit);
      t *= (1 - style.part.depth * groove) * (1 - 0.35 * Math.tanh(dx / 0.8) * Math.sign(style.part.offset));
    }
    if (curl) t *= 1 + style.curls!.amplitude * curl(x, y, z);
    return t;
  };
}

/** Scalp vertex furthest along the direction at `elevationDeg` above the horizontal, straight back. */
function backAnchor(head: HeadMesh, scalp: Scalp, elevationDeg: number): number {
  const e = (elevationDeg * Math.PI) / 180, dy = Math.sin(e), dz = -Math.cos(e);
  const { frame } = scalp, p = head.positions;
  let best = -1, bestD = -Infinity;
  for (let i = 0; i < scalp.triangles.length; i++) {
    const v = scalp.triangles[i]!;
    const d = (p[3 * v + 1]! - frame.browY) * dy + (p[3 * v + 2]! - frame.cz) * dz - 4 * Math.abs(p[3 * v]! - frame.cx);
    if (d > bestD) { bestD = d; best = v; }
  }
  return best;
}

/** Builds a procedural style on `head`. Same inputs → the same bytes. */
export function buildStyle(head: HeadMesh, style: ProceduralStyle, seed = 0): HairMesh {
  if (!style.hairline) return EMPTY_HAIR;
  const scalp = selectScalp(head, style.hairline);
  if (scalp.triangles.length === 0) throw new Error(`hairstyle "${style.name}": no scalp above its hairline on this head`);
  const b = new MeshBuilder();
  const thickness = thicknessField(style, head, scalp, seed);
  const shell = addShell(b, head, scalp, thickness);
  const { frame } = scalp;
  const u = frame.unit, p = head.positions, n = scalp.normals;
  if (style.curtain) {
    addCurtain(b, head, scalp, shell, b.build(), {
      bottomY: frame.browY + style.curtain.bottom * u,
      rings: 8,
      minAzimuth: (style.curtain.minAzimuthDeg * Math.PI) / 180,
      clearance: style.side,
    });
  }
  if (style.bun) {
    const v = backAnchor(head, scalp, style.bun.elevationDeg);
    // Sits on the shell rather than sinking into it, so no part of it is under the skin.
    const r = style.bun.radius * u, off = SKIN_GAP + thickness(v) + 0.8 * r;
    const c = [0, 1, 2].map((k) => p[3 * v + k]! + off * n[3 * v + k]!) as [number, number, number];
    addBlob(b, c, [r, 0.85 * r, 0.8 * r]);
  }
  if (style.ponytail) {
    const v = backAnchor(head, scalp, style.ponytail.elevationDeg);
    const r = style.ponytail.radius * u, len = style.ponytail.length * u;
    const base = [0, 1, 2].map((k) => p[3 * v + k]! + (SKIN_GAP + thickness(v)) * n[3 * v + k]!);
    // Out from the head, then down, staying behind the back of the neck.
    let zBack = Infinity;
    for (let w = 0; w < scalp.above.length; w++) {
      const y = p[3 * w + 1]!;
      if (Number.isNaN(scalp.above[w]!) || y > base[1]! || y < base[1]! - len || Math.abs(p[3 * w]! - frame.cx) > 4) continue;
      zBack = Math.min(zBack, p[3 * w + 2]!);
    }
    const zHang = Math.min(base[2]! - 1.2 * r, zBack - r - 0.5);
    const path: [number, number, number][] = [];
    const K = 10;
    for (let i = 0; i <= K; i++) {
      const f = i / K, out = Math.min(1, 4 * f);
      path.push([base[0]!, base[1]! + 0.6 * r * out - len * Math.max(0, f - 0.15), base[2]! + (zHang - base[2]!) * out]);
    }
    addTube(b, path, path.map((_, i) => r * (i === 0 ? 0.9 : 1 - 0.6 * (i / K))));
  }
  return b.build();
}

/** Every procedural style built on `head`, in library order. */
export function buildAllStyles(head: HeadMesh, styles: readonly ProceduralStyle[] = PROCEDURAL_STYLES, seed = 0): { name: string; mesh: HairMesh }[] {
  return styles.map((s) => ({ name: s.name, mesh: buildStyle(head, s, seed) }));
}
