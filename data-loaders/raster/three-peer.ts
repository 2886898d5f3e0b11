// An independent renderer for checks and benchmarks: three.js (WebGL via SwiftShader) in
// headless Chromium, fed the same mesh and the same camera parameters (three.js builds its
// own matrices from eye/target/up/fov, so our camera maths is checked too). Files are served
// from node_modules over a loopback HTTP server; nothing touches the network.
import { createServer, type Server } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { launchChromium, type HeadlessChromium } from "../browser/chromium.js";
import { projectRoot } from "../io/paths.js";

export interface PeerCamera {
  eye: readonly [number, number, number];
  target: readonly [number, number, number];
  up?: readonly [number, number, number];
  fovY: number;
  near: number;
  far: number;
}

export interface PeerLight {
  direction: readonly [number, number, number];
  intensity: number;
  ambient: number;
}

export interface PeerFrame {
  width: number;
  height: number;
  /** RGBA bytes, row 0 = top (flipped from WebGL's bottom-up readPixels). */
  rgba: Uint8Array;
  /** Milliseconds inside the page for render + readPixels. */
  ms: number;
}

const HTML = `<!doctype html><html><body style="margin:0">
<script type="importmap">{"imports":{"three":"/three/three.module.js"}}</script>
<script type="module">
import * as THREE from "three";
const canvas = document.createElement("canvas");
document.body.appendChild(canvas);
const renderer = new THREE.WebGLRenderer({ canvas, antialias: false, preserveDrawingBuffer: true });
renderer.setPixelRatio(1);
const scene = new THREE.Scene();
scene.background = new THREE.Color(0, 0, 0);
let mesh = null;
const ambient = new THREE.AmbientLight(0xffffff, 0);
const sun = new THREE.DirectionalLight(0xffffff, 0);
scene.add(ambient, sun, sun.target);
const materials = {
  flat: new THREE.MeshBasicMaterial({ color: 0xffffff, side: THREE.DoubleSide }),
  lambert: new THREE.MeshLambertMaterial({ color: 0xb3b3b3, side: THREE.DoubleSide }),
};
// Large arrays cross the page boundary as base64: JSON arrays of numbers take seconds.
const fromB64 = (s) => { const b = atob(s); const u = new Uint8Array(b.length); for (let i = 0; i < b.length; i++) u[i] = b.charCodeAt(i); return u.buffer; };
const toB64 = (u) => { let s = ""; for (let i = 0; i < u.length; i += 0x8000) s += String.fromCharCode.apply(null, u.subarray(i, i + 0x8000)); return btoa(s); };
window.peer = {
  setMesh(positions, index) {
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.BufferAttribute(new Float32Array(fromB64(positions)), 3));
    g.setIndex(new THREE.BufferAttribute(new Uint32Array(fromB64(index)), 1));
    g.computeVertexNormals();
    if (mesh) { scene.remove(mesh); mesh.geometry.dispose(); }
    mesh = new THREE.Mesh(g, materials.flat);
    scene.add(mesh);
  },
  render(frames, width, height, material, readback) {
    renderer.setSize(width, height, false);
    mesh.material = materials[material];
    const gl = renderer.getContext();
    const buf = new Uint8Array(width * height * 4);
    const out = [];
    const t0 = performance.now();
    for (const f of frames) {
      const c = new THREE.PerspectiveCamera(f.camera.fovY, width / height, f.camera.near, f.camera.far);
      c.position.set(...f.camera.eye);
      c.up.set(...(f.camera.up ?? [0, 1, 0]));
      c.lookAt(...f.camera.target);
      if (f.light) {
        ambient.intensity = f.light.ambient;
        sun.intensity = f.light.intensity;
        sun.position.set(...f.light.direction);
      }
      renderer.render(scene, c);
      gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, buf);
      if (readback) out.push(toB64(buf));
    }
    return { ms: performance.now() - t0, frames: out };
  },
};
window.peerReady = true;
</script></body></html>`;

export interface ThreePeer {
  setMesh(positions: Float32Array, triangles: Uint32Array): Promise<void>;
  /** Renders frames; returns them (flipped to top-down) when `readback`, and the in-page time. */
  render(frames: { camera: PeerCamera; light?: PeerLight }[], width: number, height: number, opts?: { material?: "flat" | "lambert"; readback?: boolean }): Promise<{ ms: number; frames: PeerFrame[] }>;
  close(): Promise<void>;
}

function serve(): Promise<Server> {
  const buildDir = join(projectRoot, "node_modules", "three", "build");
  const server = createServer((req, res) => {
    const url = req.url ?? "/";
    if (url === "/" || url === "/index.html") {
      res.writeHead(200, { "content-type": "text/html" }).end(HTML);
    } else if (/^\/three\/three\.(module|core)\.js$/.test(url)) {
      res.writeHead(200, { "content-type": "text/javascript" }).end(readFileSync(join(buildDir, url.slice("/three/".length))));
    } else res.writeHead(404).end();
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

export async function launchThreePeer(): Promise<ThreePeer> {
  const server = await serve();
  let chromium: HeadlessChromium | undefined;
  try {
    chromium = await launchChromium();
    const page: Page = await chromium.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => (window as unknown as { peerReady?: boolean }).peerReady === true, null, { timeout: 20000 }).catch(() => {
      throw new Error(`three.js peer page did not start: ${errors.join("; ") || "timeout"}`);
    });
    const c = chromium;
    return {
      async setMesh(positions, triangles) {
        const b64 = (a: Float32Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("base64");
        await page.evaluate(([p, t]) => (window as any).peer.setMesh(p, t), [b64(positions), b64(Uint32Array.from(triangles))] as const);
      },
      async render(frames, width, height, { material = "flat", readback = true } = {}) {
        const r = await page.evaluate(([f, w, h, m, rb]) => (window as any).peer.render(f, w, h, m, rb), [frames, width, height, material, readback] as const) as { ms: number; frames: string[] };
        return {
          ms: r.ms,
          frames: r.frames.map((data) => ({ width, height, rgba: flipRows(new Uint8Array(Buffer.from(data, "base64")), width, height), ms: r.ms / frames.length })),
        };
      },
      async close() {
        await c.close();
        server.close();
      },
    };
  } catch (error) {
    await chromium?.close();
    server.close();
    throw error;
  }
}

function flipRows(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(rgba.length);
  const row = width * 4;
  for (let y = 0; y < height; y++) out.set(rgba.subarray((height - 1 - y) * row, (height - y) * row), y * row);
  return out;
}

/** Intersection over union of two coverage masks (non-zero = covered). */
export function maskIoU(a: ArrayLike<number>, b: ArrayLike<number>): { iou: number; intersection: number; union: number } {
  if (a.length !== b.length) throw new Error(`masks differ in size: ${a.length} vs ${b.length}`);
  let inter = 0, uni = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] !== 0, y = b[i] !== 0;
    if (x && y) inter++;
    if (x || y) uni++;
  }
  return { iou: uni === 0 ? 1 : inter / uni, intersection: inter, union: uni };
}
