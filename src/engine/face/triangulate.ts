/**
 * Fan triangulation of the first `polygonCount` polygons: corners (0,1,2), (0,2,3), …
 * ICT's region polygons are planar-ish quads, so a fan gives the 2 triangles per quad the
 * paper counts (14034 quads → 28068 triangles). Returns `[T*3]` corner indices mapped
 * through `corners` (vertex indices, or seam-split indices in seam.ts).
 */
export function triangulate(polygonStart: Uint32Array, corners: Uint32Array, polygonCount = polygonStart.length - 1): Uint32Array {
  let count = 0;
  for (let p = 0; p < polygonCount; p++) count += polygonStart[p + 1]! - polygonStart[p]! - 2;
  const out = new Uint32Array(count * 3);
  let k = 0;
  for (let p = 0; p < polygonCount; p++) {
    const s = polygonStart[p]!, e = polygonStart[p + 1]!;
    for (let c = s + 1; c + 1 < e; c++) {
      out[k++] = corners[s]!;
      out[k++] = corners[c]!;
      out[k++] = corners[c + 1]!;
    }
  }
  return out;
}
