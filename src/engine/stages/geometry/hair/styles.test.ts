// The procedural library on the real ICT head: valid meshes outside the scalp, deterministic,
// and built from whichever head they are given.
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadFaceModel } from "../../../../../data-loaders/face/load.js";
import { synthesize } from "../../../face/synthesize.js";
import { vertexNormals } from "../../../face/normals.js";
import { PROCEDURAL_STYLES, buildStyle, styleByName } from "./styles.js";
import { SCALP_VERTEX_END, type HeadMesh } from "./scalp.js";
import type { HairMesh } from "./mesh.js";

const model = await loadFaceModel();
const headOf = (identity?: number[]): HeadMesh => ({
  positions: synthesize(model, { region: "dreamface", ...(identity ? { identity } : {}) }),
  triangles: model.regions.dreamface.triangles,
  landmarks68: model.landmarks68,
});
const mean = headOf();
const other = headOf([2.5, -2, 1.5, 1]);

/** Vertices on an open edge of the head mesh (the cut at the base of the neck). */
function openEdgeVertices(head: HeadMesh): Uint8Array {
  const V = head.positions.length / 3, t = head.triangles, seen = new Set<number>(), on = new Uint8Array(V);
  for (let i = 0; i < t.length; i += 3) for (const [a, b] of [[t[i]!, t[i + 1]!], [t[i + 1]!, t[i + 2]!], [t[i + 2]!, t[i]!]]) seen.add(a! * V + b!);
  for (const k of seen) if (!seen.has((k % V) * V + Math.floor(k / V))) on[k % V] = on[Math.floor(k / V)] = 1;
  return on;
}

/**
 * Smallest signed height of any hair vertex above its nearest head vertex, along that
 * vertex's normal. Hair hanging below the cut at the base of the neck (nearest vertex on the
 * open edge) is outside the mesh by construction and is skipped: the normal test means nothing there.
 */
function minHeightAboveHead(hair: HairMesh, head: HeadMesh): number {
  const p = head.positions, n = vertexNormals(p, head.triangles), h = hair.positions;
  const open = openEdgeVertices(head);
  let worst = Infinity;
  for (let i = 0; i < h.length; i += 3) {
    let best = 0, bestD = Infinity;
    for (let v = 0; v <= SCALP_VERTEX_END; v++) {
      const dx = h[i]! - p[3 * v]!, dy = h[i + 1]! - p[3 * v + 1]!, dz = h[i + 2]! - p[3 * v + 2]!;
      const d = dx * dx + dy * dy + dz * dz;
      if (d < bestD) { bestD = d; best = v; }
    }
    if (open[best]) continue;
    const along = (h[i]! - p[3 * best]!) * n[3 * best]! + (h[i + 1]! - p[3 * best + 1]!) * n[3 * best + 1]! + (h[i + 2]! - p[3 * best + 2]!) * n[3 * best + 2]!;
    worst = Math.min(worst, along);
  }
  return worst;
}

/** Every directed edge a→b has exactly one b→a: a closed, consistently wound surface. */
function isClosed(hair: HairMesh): boolean {
  const V = hair.positions.length / 3, t = hair.triangles, count = new Map<number, number>();
  for (let i = 0; i < t.length; i += 3)
    for (const [a, b] of [[t[i]!, t[i + 1]!], [t[i + 1]!, t[i + 2]!], [t[i + 2]!, t[i]!]]) count.set(a! * V + b!, (count.get(a! * V + b!) ?? 0) + 1);
  for (const [k, c] of count) if (c !== 1 || count.get((k % V) * V + Math.floor(k / V)) !== 1) return false;
  return true;
}

test("bald is empty; every other style is a finite mesh with in-range, non-degenerate triangles", () => {
  assert.equal(buildStyle(mean, styleByName("bald")).triangles.length, 0);
  for (const s of PROCEDURAL_STYLES.filter((x) => x.hairline)) {
    const h = buildStyle(mean, s);
    const V = h.positions.length / 3;
    assert.ok(h.triangles.length / 3 > 1000, `${s.name}: ${h.triangles.length / 3} triangles`);
    assert.ok(h.positions.every(Number.isFinite), `${s.name}: non-finite coordinate`);
    assert.ok(h.triangles.every((i) => i < V), `${s.name}: index out of range`);
    for (let i = 0; i < h.triangles.length; i += 3) {
      const [a, b, c] = [h.triangles[i]!, h.triangles[i + 1]!, h.triangles[i + 2]!];
      assert.ok(a !== b && b !== c && a !== c, `${s.name}: triangle ${i / 3} repeats a vertex`);
    }
  }
});

test("styles without hanging cards are closed surfaces (shell, bun, ponytail); curtains are open", () => {
  for (const s of PROCEDURAL_STYLES.filter((x) => x.hairline)) assert.equal(isClosed(buildStyle(mean, s)), !s.curtain, s.name);
});

test("hair sits at or above the scalp along the normals, on the mean head and on another identity", () => {
  for (const head of [mean, other])
    for (const s of PROCEDURAL_STYLES.filter((x) => x.hairline)) {
      const worst = minHeightAboveHead(buildStyle(head, s), head);
      assert.ok(worst >= -0.05, `${s.name}: a hair vertex is ${(-worst).toFixed(3)} cm under the skin`);
    }
});

test("same head and seed give the same bytes; another head or seed gives another mesh", () => {
  for (const s of PROCEDURAL_STYLES.filter((x) => x.hairline)) {
    const a = buildStyle(mean, s, 7), b = buildStyle(mean, s, 7);
    assert.deepEqual(Buffer.from(a.positions.buffer), Buffer.from(b.positions.buffer), s.name);
    assert.deepEqual(a.triangles, b.triangles, s.name);
    assert.notDeepEqual(buildStyle(other, s, 7).positions, a.positions, `${s.name} ignores the head`);
  }
  const afro = styleByName("afro");
  assert.notDeepEqual(buildStyle(mean, afro, 1).positions, buildStyle(mean, afro, 2).positions, "curls ignore the seed");
});

test("the styles differ the way their names say", () => {
  const lowest = (name: string) => Math.min(...buildStyle(mean, styleByName(name)).positions.filter((_, i) => i % 3 === 1));
  const highest = (name: string) => Math.max(...buildStyle(mean, styleByName(name)).positions.filter((_, i) => i % 3 === 1));
  assert.ok(lowest("long straight") < lowest("bob") - 5, "long hair hangs lower than a bob");
  assert.ok(lowest("bob") < lowest("short crop") - 3, "a bob hangs lower than a crop");
  assert.ok(highest("afro") > highest("buzz cut") + 2.5, "an afro is taller than a buzz cut");
  assert.ok(highest("short crop") > highest("buzz cut") + 0.5, "a crop is fuller than a buzz cut");
  // The bun and the ponytail stick out behind the head further than the plain short shell.
  const back = (name: string) => Math.min(...buildStyle(mean, styleByName(name)).positions.filter((_, i) => i % 3 === 2));
  assert.ok(back("bun") < back("buzz cut") - 2 && back("ponytail") < back("buzz cut") - 1);
});
