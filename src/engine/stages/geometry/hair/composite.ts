/**
 * Head + hair as one mesh for the renderer, so visibility between them is the rasterizer's
 * depth test. Colour goes through a 2×1 texture (texel 0 skin, texel 1 hair): each vertex's
 * uv sits on its texel's centre, so bilinear sampling returns the exact colour.
 */
import type { RenderMesh, Texture } from "../../../raster/render.js";
import type { HairMesh } from "./mesh.js";

/** Neutral skin for hair renders: the texture stage comes later, so the head is untextured. */
export const SKIN_RGB: readonly [number, number, number] = [0.78, 0.66, 0.58];

export function headWithHair(
  head: { positions: Float32Array; triangles: Uint32Array },
  hair: HairMesh,
  hairRgb: readonly [number, number, number],
  skinRgb: readonly [number, number, number] = SKIN_RGB,
): { mesh: RenderMesh; texture: Texture } {
  const V = head.positions.length / 3, H = hair.positions.length / 3;
  const positions = new Float32Array((V + H) * 3);
  positions.set(head.positions);
  positions.set(hair.positions, V * 3);
  const triangles = new Uint32Array(head.triangles.length + hair.triangles.length);
  triangles.set(head.triangles);
  for (let i = 0; i < hair.triangles.length; i++) triangles[head.triangles.length + i] = hair.triangles[i]! + V;
  const uv = new Float32Array((V + H) * 2);
  for (let v = 0; v < V + H; v++) {
    uv[2 * v] = v < V ? 0.25 : 0.75;
    uv[2 * v + 1] = 0.5;
  }
  return { mesh: { positions, triangles, uv }, texture: { data: Float32Array.from([...skinRgb, ...hairRgb]), width: 2, height: 1, channels: 3 } };
}
