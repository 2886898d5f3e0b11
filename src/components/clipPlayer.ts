/**
 * clipPlayer: plays a .glb's glTF animations with three.js's GLTFLoader + AnimationMixer —
 * the same path any three.js app takes with a `dreamface animate` output.
 *
 *   const player = clipPlayer({data: await FileAttachment("x.glb").arrayBuffer(), width, height, invalidation});
 *   player.info   // {animations: [{name, duration, tracks: ["face.morphTargetInfluences", …]}]}
 *
 * The element is a <figure> with the canvas; the drawing buffer is preserved for pixel tests.
 */
import * as THREE from "three";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";

export interface ClipPlayerOptions {
  data: ArrayBuffer;
  width?: number;
  height?: number;
  background?: string;
  invalidation?: Promise<unknown>;
}

export interface ClipPlayerElement extends HTMLElement {
  readonly ready: Promise<{ animations: { name: string; duration: number; tracks: string[] }[] }>;
}

export function clipPlayer({ data, width = 320, height = 360, background = "#f4f4f4", invalidation }: ClipPlayerOptions): ClipPlayerElement {
  const figure = document.createElement("figure") as unknown as ClipPlayerElement;
  figure.className = "clip-player";
  figure.style.margin = "0";
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(2, devicePixelRatio));
  renderer.setSize(width, height);
  renderer.setClearColor(new THREE.Color(background));
  const caption = document.createElement("figcaption");
  figure.append(renderer.domElement, caption);
  const scene = new THREE.Scene();
  scene.add(new THREE.HemisphereLight(0xffffff, 0x444444, 1.2));
  const sun = new THREE.DirectionalLight(0xffffff, 1.6);
  sun.position.set(0.4, 0.6, 1);
  scene.add(sun);
  const camera = new THREE.PerspectiveCamera(30, width / height, 0.01, 10);
  let mixer: THREE.AnimationMixer | undefined;
  let frame = 0;
  let last = performance.now();
  const tick = () => {
    const t = performance.now();
    mixer?.update((t - last) / 1000);
    last = t;
    renderer.render(scene, camera);
    frame = requestAnimationFrame(tick);
  };
  const ready = new GLTFLoader().parseAsync(data, "").then((gltf) => {
    scene.add(gltf.scene);
    // Frame the face: glTF units are metres, ICT faces are ~0.25 m tall.
    const box = new THREE.Box3().setFromObject(gltf.scene);
    const center = box.getCenter(new THREE.Vector3());
    const size = box.getSize(new THREE.Vector3()).length();
    camera.position.set(center.x, center.y, center.z + size * 1.6);
    camera.lookAt(center);
    mixer = new THREE.AnimationMixer(gltf.scene);
    for (const clip of gltf.animations) mixer.clipAction(clip).play();
    const animations = gltf.animations.map((a) => ({ name: a.name, duration: a.duration, tracks: a.tracks.map((t) => t.name) }));
    caption.textContent = animations.length
      ? `three.js AnimationMixer: "${animations[0]!.name}", ${animations[0]!.duration.toFixed(1)} s, tracks ${animations[0]!.tracks.join(", ")}`
      : "no animation in this .glb";
    tick();
    return { animations };
  });
  ready.catch((e: Error) => (caption.textContent = `could not load the .glb: ${e.message}`));
  Object.defineProperty(figure, "ready", { value: ready });
  invalidation?.then(() => {
    cancelAnimationFrame(frame);
    renderer.dispose();
    renderer.forceContextLoss();
  });
  return figure;
}
