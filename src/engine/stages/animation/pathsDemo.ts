/**
 * Container for the page's blendshape-vs-personalized demo (written by
 * data-loaders/animation/paths-demo.ts, read by src/animation.md):
 * "DFAP", u32 header length, header JSON, padding to 4, frames u8 `[F*S*S*3]` (RGB, row 0 =
 * top), padding to 4, personalized positions f32 `[F*V*3]` (cm).
 */
export interface PathsDemoHeader {
  label: string;
  profile: string;
  fps: number;
  frames: number;
  size: number;
  vertexCount: number;
  identity: number[];
  names: readonly string[];
  /** Weights the synthetic video was made with, per frame. */
  truth: number[][];
  /** Blendshape path: weights fitted to the frame's landmarks, per frame. */
  fit: number[][];
  rmsePx: number[];
  buildMs: number;
}

export interface PathsDemo {
  header: PathsDemoHeader;
  images: Uint8Array;
  personalized: Float32Array;
}

const MAGIC = 0x50414644; // "DFAP" little-endian
const pad4 = (n: number) => (n + 3) & ~3;

export function encodePathsDemo(header: PathsDemoHeader, images: Uint8Array, personalized: Float32Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const imagesAt = pad4(8 + json.length);
  const positionsAt = pad4(imagesAt + images.length);
  const out = new Uint8Array(positionsAt + personalized.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(images, imagesAt);
  out.set(new Uint8Array(personalized.buffer, personalized.byteOffset, personalized.byteLength), positionsAt);
  return out;
}

export function decodePathsDemo(bytes: Uint8Array): PathsDemo {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new Error("not a paths-demo container");
  const length = view.getUint32(4, true);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) as PathsDemoHeader;
  const imagesAt = pad4(8 + length);
  const imageBytes = header.frames * header.size * header.size * 3;
  const positionsAt = pad4(imagesAt + imageBytes);
  const floats = header.frames * header.vertexCount * 3;
  const personalized = new Float32Array(bytes.buffer.slice(bytes.byteOffset + positionsAt, bytes.byteOffset + positionsAt + floats * 4));
  return { header, images: bytes.slice(imagesAt, imagesAt + imageBytes), personalized };
}
