// Small shared fixtures for the texture-stage tests: a UV-mapped plane in front of the face
// cameras (cheap to render), the tiny backend, and tokenized prompts.
import { FACE_TARGET } from "../../../../src/engine/raster/camera.js";
import type { TextureSceneMesh } from "../../../../src/engine/stages/texture/scene.js";
import type { TexturePrompts } from "../../../../src/engine/stages/texture/guidance.js";
import { tokenize } from "../../../../data-loaders/clip/merges.js";
import { Rng } from "../../../../src/engine/util/rng.js";

/** An n×n-quad plane, 40 cm wide, centred on the face target, facing +z, UVs over [0,1]². */
export function planeMesh(n = 6, withDetail = true): TextureSceneMesh {
  const positions: number[] = [];
  const uv: number[] = [];
  const triangles: number[] = [];
  for (let j = 0; j <= n; j++)
    for (let i = 0; i <= n; i++) {
      const u = i / n, v = j / n;
      // A gentle bulge so shading varies across the plane.
      positions.push(FACE_TARGET[0] + (u - 0.5) * 40, FACE_TARGET[1] + (v - 0.5) * 40, FACE_TARGET[2] + 4 * Math.sin(Math.PI * u) * Math.sin(Math.PI * v));
      uv.push(u, v);
    }
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const a = j * (n + 1) + i, b = a + 1, c = a + n + 1, d = c + 1;
      triangles.push(a, b, d, a, d, c);
    }
  let detailNormalMap: TextureSceneMesh["detailNormalMap"] = null;
  if (withDetail) {
    const size = 16;
    const rng = new Rng(7);
    const data = new Float32Array(size * size * 3);
    for (let p = 0; p < size * size; p++) {
      const x = rng.range(-0.3, 0.3), y = rng.range(-0.3, 0.3), z = Math.sqrt(1 - x * x - y * y);
      data.set([x, y, z], p * 3);
    }
    detailNormalMap = { data, width: size, height: size };
  }
  return { positions: Float32Array.from(positions), triangles: Uint32Array.from(triangles), uv: Float32Array.from(uv), detailNormalMap };
}

export function prompts(text = "the face of a test signal"): TexturePrompts {
  return { prompt: tokenize(text), empty: tokenize(""), texturePrompt: tokenize(text) };
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
