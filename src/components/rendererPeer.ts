/**
 * rendererPeer: the independent three.js render next to ours on src/renderer.md. It takes
 * the same mesh and is driven by the same camera parameters (eye, target, fovY, near, far)
 * and directional light, with lighting matched to the engine's Lambert + ambient (linear
 * output, light intensity × π to cancel three's 1/π Lambert BRDF), no antialiasing.
 *
 *   const peer = rendererPeer({positions, triangles, width: 384, height: 384, invalidation});
 *   peer.update({camera: {eye, target, fovY, near, far}, light, albedo: 0.7});
 *   peer.mask();   // Uint8Array [H*W], 1 = covered (row 0 = top)
 */
import * as THREE from "three";
import { linearToSrgb } from "./imageCanvas.js";

export interface RendererPeerOptions {
  positions: ArrayLike<number>;
  triangles: ArrayLike<number>;
  width: number;
  height: number;
  invalidation?: Promise<unknown>;
}

export interface PeerView {
  camera: { eye: readonly number[]; target: readonly number[]; fovY: number; near: number; far: number };
  light: { direction: readonly number[]; intensity: number; ambient: number };
  albedo?: number;
  background?: number;
}

export interface RendererPeerElement extends HTMLCanvasElement {
  update(view: PeerView): number;
  mask(): Uint8Array;
  dispose(): void;
}

export function rendererPeer({ positions, triangles, width, height, invalidation }: RendererPeerOptions): RendererPeerElement {
  const canvas = document.createElement("canvas") as RendererPeerElement;
  const renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
  renderer.setPixelRatio(1);
  renderer.setSize(width, height, false);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  canvas.style.width = `${width}px`;
  canvas.style.maxWidth = "100%";
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute("position", new THREE.BufferAttribute(Float32Array.from(positions), 3));
  geometry.setIndex(new THREE.BufferAttribute(Uint32Array.from(triangles), 1));
  geometry.computeVertexNormals();
  const material = new THREE.MeshLambertMaterial({ side: THREE.DoubleSide });
  const scene = new THREE.Scene();
  scene.add(new THREE.Mesh(geometry, material));
  const ambient = new THREE.AmbientLight(0xffffff, 0);
  const sun = new THREE.DirectionalLight(0xffffff, 0);
  scene.add(ambient, sun, sun.target);
  const camera = new THREE.PerspectiveCamera(30, width / height, 1, 1000);

  canvas.update = ({ camera: c, light, albedo = 0.7, background = 0 }) => {
    const t0 = performance.now();
    camera.fov = c.fovY;
    camera.near = c.near;
    camera.far = c.far;
    camera.updateProjectionMatrix();
    camera.position.set(c.eye[0]!, c.eye[1]!, c.eye[2]!);
    camera.lookAt(c.target[0]!, c.target[1]!, c.target[2]!);
    material.color.setRGB(albedo, albedo, albedo, THREE.LinearSRGBColorSpace);
    scene.background = new THREE.Color().setRGB(background, background, background, THREE.LinearSRGBColorSpace);
    backgroundByte = Math.round(255 * linearToSrgb(background));
    // three's Lambert is albedo/π · irradiance for punctual lights, ambient is albedo · L.
    ambient.intensity = light.ambient;
    sun.intensity = light.intensity * Math.PI;
    sun.position.set(light.direction[0]!, light.direction[1]!, light.direction[2]!);
    renderer.render(scene, camera);
    return performance.now() - t0;
  };
  let backgroundByte = 0;
  canvas.mask = () => {
    const gl = renderer.getContext();
    const buf = new Uint8Array(width * height * 4);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, buf);
    // The background is one known grey and lit skin never equals it exactly (ambient > 0),
    // so any other value is a covered pixel. readPixels rows run bottom-up.
    const m = new Uint8Array(width * height);
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const i = ((height - 1 - y) * width + x) * 4;
        m[y * width + x] = Math.abs(buf[i]! - backgroundByte) > 1 ? 1 : 0;
      }
    return m;
  };
  canvas.dispose = () => {
    geometry.dispose();
    material.dispose();
    renderer.dispose();
  };
  invalidation?.then(() => canvas.dispose());
  return canvas;
}
