/**
 * TextureScene over the engine's renderer: the carved mesh T† rendered from random cameras
 * on the paper's ±45° arc with background augmentation (Sec. 5.2.1), and in image space with
 * the detail normal map N_d under a random frontal directional light (Sec. 5.2.2).
 * Gradients flow to the texture only: T†, N_d, camera and light are fixed in this stage.
 */
import { sampleFrontLight, sampleOrbitCamera } from "../../raster/camera.js";
import type { RenderMesh } from "../../raster/render.js";
import { stageRenderer, type FrameRenderer } from "../../raster/parallel.js";
import { noiseBackground } from "../../raster/shade.js";
import type { Rng } from "../../util/rng.js";
import { splitFrame } from "../../face/seam.js";
import { joinTiles, splitTiles } from "../../face/atlas.js";
import type { RenderedView, TextureScene } from "./seams.js";

/** Tangent-space detail normal map N_d, vectors in [−1, 1] (flat = 0,0,1), `[height*width*3]`: an atlas of height² tiles side by side (carving's layout). */
export interface DetailNormalMap {
  data: Float32Array;
  width: number;
  height: number;
}

/** T† as the renderer takes it (seam-split: `source`, `uv` per split vertex, atlas UVs), plus N_d. */
export interface TextureSceneMesh extends RenderMesh {
  detailNormalMap?: DetailNormalMap | null;
  /** UV tiles side by side in the atlas the `uv` address (SeamSplitMesh.tiles); default 1. */
  tiles?: number;
}

/** A tile stack `[n*s*s*C]` → the atlas texture the renderer samples, and the adjoint back to the stack. */
function atlasOf(stack: Float32Array, n: number, channels: number) {
  const side = Math.round(Math.sqrt(stack.length / channels / n));
  const per = side * side * channels;
  const tiles = Array.from({ length: n }, (_, i) => stack.subarray(i * per, (i + 1) * per));
  return {
    texture: { data: n === 1 ? stack : joinTiles(tiles, side, side, channels), width: side * n, height: side, channels },
    unstack(gAtlas: Float32Array): Float32Array {
      if (n === 1) return gAtlas;
      const out = new Float32Array(stack.length);
      splitTiles(gAtlas, n, side, side, channels).forEach((g, i) => out.set(g, i * per));
      return out;
    },
  };
}

export interface SceneOptions {
  azimuthRange?: readonly [number, number];
  /** Renders the views and their adjoints (default stageRenderer(): same bytes on any thread count). */
  renderer?: FrameRenderer;
}

type Background = "random" | "noise" | "solid";

/** "random" picks a solid colour or smooth noise per view (augmentation as in AvatarCLIP / CLIP-Mesh). */
function background(rng: Rng, size: number, channels: number, kind: Background, latent: boolean) {
  const mode = kind === "random" ? (rng.uniform() < 0.5 ? "solid" : "noise") : kind;
  const [lo, hi] = latent ? [-1, 1] : [0, 1];
  return { image: noiseBackground(rng, size, size, channels, { kind: mode, lo, hi }), noise: mode === "noise" ? 1 : 0 };
}

/** T† is fixed in this stage, so its tangent frame is computed once instead of per render. */
function withTangents(mesh: TextureSceneMesh): TextureSceneMesh {
  if (mesh.tangents || !mesh.uv || !mesh.detailNormalMap) return mesh;
  const { positions, triangles, uv } = mesh;
  const source = mesh.source ?? Uint32Array.from({ length: positions.length / 3 }, (_, i) => i);
  return { ...mesh, tangents: splitFrame({ source, uv, triangles }, positions, { tangents: true }).tangents };
}

export function createTextureScene(input: TextureSceneMesh, { azimuthRange = [-45, 45], renderer = stageRenderer() }: SceneOptions = {}): TextureScene {
  const mesh = withTangents(input);
  const normalMap = mesh.detailNormalMap ?? null;
  const tiles = mesh.tiles ?? 1;
  return {
    tiles,
    async latentView(z, size, rng, kind): Promise<RenderedView> {
      const atlas = atlasOf(z, tiles, 4);
      const camera = sampleOrbitCamera(rng, { azimuthRange });
      const bg = background(rng, size, 4, kind, true);
      // No light: a latent is rendered as is (z^r of Eq. 10).
      const result = await renderer.render(mesh, { camera, width: size, height: size, texture: atlas.texture, background: bg.image });
      return {
        // Copies: a ParallelRenderer's next frame reuses its result arrays.
        image: result.image.slice(),
        size,
        channels: 4,
        coverage: result.mask.slice(),
        params: { azimuth: camera.azimuth, background_noise: bg.noise },
        backward: async (dImage) => atlas.unstack((await renderer.renderBackward(result, dImage, ["texture"])).texture!),
      };
    },

    async imageView(diffuse, size, rng, kind): Promise<RenderedView> {
      const atlas = atlasOf(diffuse, tiles, 3);
      const camera = sampleOrbitCamera(rng, { azimuthRange });
      const light = sampleFrontLight(rng);
      const bg = background(rng, size, 3, kind, false);
      const result = await renderer.render(mesh, {
        camera,
        width: size,
        height: size,
        texture: atlas.texture,
        normalMap,
        light,
        background: bg.image,
      });
      return {
        image: result.image.slice(),
        size,
        channels: 3,
        coverage: result.mask.slice(),
        params: { azimuth: camera.azimuth, light_x: light.direction[0], light_y: light.direction[1], light_z: light.direction[2], background_noise: bg.noise },
        backward: async (dImage) => atlas.unstack((await renderer.renderBackward(result, dImage, ["texture"])).texture!),
      };
    },
  };
}
