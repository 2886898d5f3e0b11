/**
 * TextureScene over the engine's renderer: the carved mesh T† rendered from random cameras
 * on the paper's ±45° arc with background augmentation (Sec. 5.2.1), and in image space with
 * the detail normal map N_d under a random frontal directional light (Sec. 5.2.2).
 * Gradients flow to the texture only: T†, N_d, camera and light are fixed in this stage.
 */
import { sampleFrontLight, sampleOrbitCamera } from "../../raster/camera.js";
import { render, renderBackward, type RenderMesh } from "../../raster/render.js";
import { noiseBackground } from "../../raster/shade.js";
import type { Rng } from "../../util/rng.js";
import { vertexNormals, vertexTangents } from "../../face/normals.js";
import { gatherSplit } from "../../face/seam.js";
import type { RenderedView, TextureScene } from "./seams.js";

/** T† as the renderer takes it (seam-split: `source`, `uv` per split vertex), plus N_d. */
export interface TextureSceneMesh extends RenderMesh {
  /** Tangent-space detail normal map N_d, vectors in [−1, 1] (flat = 0,0,1), `[size*size*3]`. */
  detailNormalMap?: { data: Float32Array; size: number } | null;
}

export interface SceneOptions {
  azimuthRange?: readonly [number, number];
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
  const { positions, triangles, source, uv } = mesh;
  const modelTris = source ? triangles.map((v) => source[v]!) : triangles;
  const vn = vertexNormals(positions, modelTris);
  const splitN = source ? gatherSplit(vn, source, 3) : vn;
  const splitPos = source ? gatherSplit(positions, source, 3) : positions;
  return { ...mesh, tangents: vertexTangents(splitPos, splitN, uv, triangles) };
}

export function createTextureScene(input: TextureSceneMesh, { azimuthRange = [-45, 45] }: SceneOptions = {}): TextureScene {
  const mesh = withTangents(input);
  const normalMap = mesh.detailNormalMap ? { data: mesh.detailNormalMap.data, width: mesh.detailNormalMap.size, height: mesh.detailNormalMap.size } : null;
  return {
    latentView(z, size, rng, kind): RenderedView {
      const side = Math.round(Math.sqrt(z.length / 4));
      const camera = sampleOrbitCamera(rng, { azimuthRange });
      const bg = background(rng, size, 4, kind, true);
      // No light: a latent is rendered as is (z^r of Eq. 10).
      const result = render(mesh, { camera, width: size, height: size, texture: { data: z, width: side, height: side, channels: 4 }, background: bg.image });
      return {
        image: result.image,
        size,
        channels: 4,
        coverage: result.mask,
        params: { azimuth: camera.azimuth, background_noise: bg.noise },
        backward: (dImage) => renderBackward(result, dImage, ["texture"]).texture!,
      };
    },

    imageView(diffuse, size, rng, kind): RenderedView {
      const side = Math.round(Math.sqrt(diffuse.length / 3));
      const camera = sampleOrbitCamera(rng, { azimuthRange });
      const light = sampleFrontLight(rng);
      const bg = background(rng, size, 3, kind, false);
      const result = render(mesh, {
        camera,
        width: size,
        height: size,
        texture: { data: diffuse, width: side, height: side, channels: 3 },
        normalMap,
        light,
        background: bg.image,
      });
      return {
        image: result.image,
        size,
        channels: 3,
        coverage: result.mask,
        params: { azimuth: camera.azimuth, light_x: light.direction[0], light_y: light.direction[1], light_z: light.direction[2], background_noise: bg.noise },
        backward: (dImage) => renderBackward(result, dImage, ["texture"]).texture!,
      };
    },
  };
}
