/**
 * One texture atlas for ICT's UDIM-like tiles (ict.ts: tile 0 the face, tile 1 head, neck and
 * sockets, …): the tiles side by side, u' = u / n for n tiles, v unchanged, so every UV the
 * engine renders with or exports lies in [0, 1]². An atlas image is the n tile images joined
 * along x (`[h × n·w × C]`, HWC, the renderer's layout); `joinTiles` and its adjoint `splitTiles`
 * move between the two. The tile boundary is a UV seam like any other: seamSplit gives the
 * boundary vertices one copy per tile, with positions, normals and tangents shared via `source`.
 */

/** How many tiles the UVs span along u (⌈max u⌉, at least 1). */
export function tileCount(uv: Float32Array): number {
  let max = 0;
  for (let i = 0; i < uv.length; i += 2) max = Math.max(max, uv[i]!);
  return Math.max(1, Math.ceil(max - 1e-6));
}

/** Tile UVs → atlas UVs in [0, 1]²: u' = u / tiles. */
export function toAtlasUv(uv: Float32Array, tiles: number): Float32Array {
  const out = new Float32Array(uv.length);
  for (let i = 0; i < uv.length; i += 2) {
    out[i] = uv[i]! / tiles;
    out[i + 1] = uv[i + 1]!;
  }
  return out;
}

/** Tile images `[h*w*C]` each → the atlas `[h*(n·w)*C]` (tile i at columns i·w … (i+1)·w − 1). */
export function joinTiles(tiles: readonly Float32Array[], h: number, w: number, c: number): Float32Array {
  const out = new Float32Array(h * tiles.length * w * c);
  tiles.forEach((tile, i) => placeTile(out, tile, i, tiles.length, h, w, c));
  return out;
}

/** Writes tile i `[h*w*C]` into an atlas of n tiles (joinTiles one tile at a time, for maps too large to hold twice). */
export function placeTile(atlas: Float32Array, tile: Float32Array, i: number, n: number, h: number, w: number, c: number): void {
  const row = w * c;
  if (tile.length !== h * row) throw new Error(`joinTiles: tile ${i} has ${tile.length} values, expected ${h}×${w}×${c}`);
  for (let y = 0; y < h; y++) atlas.set(tile.subarray(y * row, (y + 1) * row), (y * n + i) * row);
}

/** Adjoint (and inverse) of joinTiles: the atlas `[h*(n·w)*C]` → n tile images `[h*w*C]`. */
export function splitTiles(atlas: Float32Array, n: number, h: number, w: number, c: number): Float32Array[] {
  if (atlas.length !== h * n * w * c) throw new Error(`splitTiles: atlas has ${atlas.length} values, expected ${h}×${n * w}×${c}`);
  const row = w * c;
  return Array.from({ length: n }, (_, i) => {
    const tile = new Float32Array(h * row);
    for (let y = 0; y < h; y++) tile.set(atlas.subarray((y * n + i) * row, (y * n + i + 1) * row), y * row);
    return tile;
  });
}
