/**
 * faceViewer: a three.js view of one triangle mesh (the ICT face or any stage's output).
 *
 *   const view = faceViewer({positions, triangles, width: 640, height: 480, invalidation});
 *   display(view);
 *   view.update({positions});            // live edits; normals recomputed unless given
 *   view.setTexture(imageData | canvas | url | null);
 *   view.setNormalMap(imageData | canvas | url | null);
 *   view.dispose();                      // also called when `invalidation` resolves
 *
 * Options (flat typed arrays, as in src/engine):
 * - positions `[V*3]`, triangles `[T*3]` (Uint32Array or number[]), required;
 * - normals `[V*3]` (computed from the mesh when absent), uv `[V*2]` in OBJ convention
 *   (v up; needed for texture/normalMap: pass seam-split vertices);
 * - width/height in CSS pixels (default 640×480), background (CSS colour, default "#f4f4f4");
 * - texture (base colour, sRGB) and normalMap (tangent space): ImageData (row 0 = top of the
 *   image), a canvas, or a URL;
 * - label: caption under the canvas (e.g. "tiny profile — test signal, not a face");
 * - invalidation: Framework's per-cell promise, so a re-run cell frees its WebGL context.
 *
 * The element is a <figure> holding the <canvas>. Rendering is on demand (after edits and
 * orbit moves), and the drawing buffer is preserved so tests can read pixels with toDataURL.
 */
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";

export type ImageSource = ImageData | HTMLCanvasElement | OffscreenCanvas | string;

export interface FaceViewerOptions {
  positions: ArrayLike<number>;
  triangles: ArrayLike<number>;
  normals?: ArrayLike<number>;
  uv?: ArrayLike<number>;
  width?: number;
  height?: number;
  background?: string;
  texture?: ImageSource | null;
  normalMap?: ImageSource | null;
  label?: string;
  invalidation?: Promise<unknown>;
}

export interface FaceViewerUpdate {
  positions: ArrayLike<number>;
  normals?: ArrayLike<number>;
}

export interface FaceViewerElement extends HTMLElement {
  update(mesh: FaceViewerUpdate): void;
  setTexture(source: ImageSource | null): void;
  setNormalMap(source: ImageSource | null): void;
  /** Draws now (the viewer redraws by itself after edits and orbit moves). */
  render(): void;
  dispose(): void;
  readonly canvas: HTMLCanvasElement;
  readonly three: { renderer: THREE.WebGLRenderer; scene: THREE.Scene; camera: THREE.PerspectiveCamera; mesh: THREE.Mesh };
}

const SKIN = 0xd9b49b;

export function faceViewer({
  positions,
  triangles,
  normals,
  uv,
  width = 640,
  height = 480,
  background = "#f4f4f4",
  texture = null,
  normalMap = null,
  label,
  invalidation,
}: FaceViewerOptions): FaceViewerElement {
  checkMesh(positions, triangles, normals, uv);
  const figure = document.createElement("figure") as unknown as FaceViewerElement;
  figure.className = "face-viewer";
  figure.style.margin = "0";
  figure.style.maxWidth = "none";

  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(2, globalThis.devicePixelRatio ?? 1));
  renderer.setSize(width, height);
  renderer.outputColorSpace = THREE.SRGBColorSpace;
  renderer.setClearColor(new THREE.Color(background), 1);
  figure.append(renderer.domElement);
  if (label) {
    const caption = document.createElement("figcaption");
    caption.textContent = label;
    figure.append(caption);
  }

  const geometry = new THREE.BufferGeometry();
  // Own copies, so later update() calls may reuse the caller's arrays freely.
  geometry.setAttribute("position", new THREE.BufferAttribute(Float32Array.from(positions), 3));
  geometry.setIndex(new THREE.BufferAttribute(Uint32Array.from(triangles), 1));
  if (uv) geometry.setAttribute("uv", new THREE.BufferAttribute(Float32Array.from(uv), 2));
  if (normals) geometry.setAttribute("normal", new THREE.BufferAttribute(Float32Array.from(normals), 3));
  else geometry.computeVertexNormals();
  geometry.computeBoundingSphere();

  const material = new THREE.MeshStandardMaterial({ color: SKIN, roughness: 0.65, metalness: 0, side: THREE.DoubleSide });
  const mesh = new THREE.Mesh(geometry, material);
  const scene = new THREE.Scene();
  scene.add(mesh);
  scene.add(new THREE.HemisphereLight(0xffffff, 0x554433, 1.2));
  const key = new THREE.DirectionalLight(0xffffff, 1.6);
  key.position.set(0.4, 0.6, 1);
  scene.add(key);

  // ICT faces look down +z with y up; frame the bounding sphere from the front.
  const sphere = geometry.boundingSphere!;
  const camera = new THREE.PerspectiveCamera(30, width / height, sphere.radius / 100, sphere.radius * 100);
  const distance = sphere.radius / Math.sin(THREE.MathUtils.degToRad(camera.fov / 2)) * 1.05;
  camera.position.copy(sphere.center).add(new THREE.Vector3(0, 0, distance));
  camera.lookAt(sphere.center);
  camera.add(key); // the key light follows the orbit, so the face never goes dark
  scene.add(camera);

  const controls = new OrbitControls(camera, renderer.domElement);
  controls.target.copy(sphere.center);
  controls.update();

  let frame = 0;
  const render = () => {
    frame = 0;
    renderer.render(scene, camera);
  };
  const schedule = () => {
    if (!frame) frame = requestAnimationFrame(render);
  };
  controls.addEventListener("change", schedule);

  const textures: { map: THREE.Texture | null; normalMap: THREE.Texture | null } = { map: null, normalMap: null };
  const setSlot = (slot: "map" | "normalMap", source: ImageSource | null) => {
    if (source != null && !geometry.getAttribute("uv")) throw new Error("faceViewer: a texture needs `uv` (seam-split vertices)");
    textures[slot]?.dispose();
    const next = source == null ? null : toTexture(source, slot === "map", schedule);
    textures[slot] = next;
    material[slot] = next;
    material.needsUpdate = true;
    schedule();
  };

  let disposed = false;
  Object.assign(figure, {
    canvas: renderer.domElement,
    three: { renderer, scene, camera, mesh },
    render,
    update({ positions: p, normals: n }: FaceViewerUpdate) {
      const position = geometry.getAttribute("position") as THREE.BufferAttribute;
      if (p.length !== position.array.length) throw new Error(`faceViewer.update: expected ${position.array.length} position values, got ${p.length}`);
      (position.array as Float32Array).set(p);
      position.needsUpdate = true;
      if (n) {
        if (n.length !== p.length) throw new Error(`faceViewer.update: normals length ${n.length} ≠ positions length ${p.length}`);
        const normal = geometry.getAttribute("normal") as THREE.BufferAttribute;
        (normal.array as Float32Array).set(n);
        normal.needsUpdate = true;
      } else {
        geometry.computeVertexNormals();
      }
      geometry.computeBoundingSphere();
      schedule();
    },
    setTexture: (source: ImageSource | null) => setSlot("map", source),
    setNormalMap: (source: ImageSource | null) => setSlot("normalMap", source),
    dispose() {
      if (disposed) return;
      disposed = true;
      if (frame) cancelAnimationFrame(frame);
      controls.dispose();
      geometry.dispose();
      material.dispose();
      textures.map?.dispose();
      textures.normalMap?.dispose();
      renderer.dispose();
    },
  });
  if (texture) setSlot("map", texture);
  if (normalMap) setSlot("normalMap", normalMap);
  render();
  invalidation?.then(() => figure.dispose());
  return figure;
}

function checkMesh(positions: ArrayLike<number>, triangles: ArrayLike<number>, normals?: ArrayLike<number>, uv?: ArrayLike<number>): void {
  if (positions.length === 0 || positions.length % 3) throw new Error(`faceViewer: positions length ${positions.length} is not a positive multiple of 3`);
  if (triangles.length === 0 || triangles.length % 3) throw new Error(`faceViewer: triangles length ${triangles.length} is not a positive multiple of 3`);
  const vertices = positions.length / 3;
  if (normals && normals.length !== positions.length) throw new Error(`faceViewer: normals length ${normals.length} ≠ positions length ${positions.length}`);
  if (uv && uv.length !== vertices * 2) throw new Error(`faceViewer: uv length ${uv.length} ≠ 2 × ${vertices} vertices`);
  for (let i = 0; i < triangles.length; i++) {
    if (!(triangles[i] >= 0 && triangles[i] < vertices)) throw new Error(`faceViewer: triangle index ${triangles[i]} at ${i} is outside 0..${vertices - 1}`);
  }
}

/** Textures keep the OBJ convention: image row 0 is v = 1 (three's default flipY does that). */
function toTexture(source: ImageSource, color: boolean, onLoad: () => void): THREE.Texture {
  let texture: THREE.Texture;
  if (typeof source === "string") {
    texture = new THREE.TextureLoader().load(source, onLoad);
  } else if (typeof ImageData !== "undefined" && source instanceof ImageData) {
    const canvas = document.createElement("canvas");
    canvas.width = source.width;
    canvas.height = source.height;
    canvas.getContext("2d")!.putImageData(source, 0, 0);
    texture = new THREE.CanvasTexture(canvas);
  } else {
    texture = new THREE.CanvasTexture(source as HTMLCanvasElement);
  }
  texture.colorSpace = color ? THREE.SRGBColorSpace : THREE.NoColorSpace;
  texture.anisotropy = 4;
  return texture;
}
