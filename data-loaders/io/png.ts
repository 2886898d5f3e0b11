// The one PNG module: channels-last floats in [0, 1] ↔ PNG bytes / files.
// Writing is our own: scanlines with the "Up" filter (one typed-array pass) deflated by zlib.
// pngjs's per-pixel JavaScript packing took ~3 s for an 8-bit and ~9 s for a 16-bit 4096² map;
// reading stays with pngjs (any PNG a user brings: grey/RGB/alpha, palette, 8/16-bit).
import { readFileSync } from "node:fs";
import { crc32, deflateSync } from "node:zlib";
import { PNG } from "pngjs";
import { writeFileAtomic } from "./atomic.js";

const SIGNATURE = Uint8Array.from([137, 80, 78, 71, 13, 10, 26, 10]);
/** PNG colour type for 1–4 samples per pixel: grey, grey+alpha, truecolour, truecolour+alpha. */
const COLOR_TYPE = [0, 0, 4, 2, 6] as const;

export interface PngEncodeOptions {
  /** Samples per pixel in `data` (1–4); written with the matching PNG colour type. Default 3. */
  channels?: number;
  bits?: 8 | 16;
  /** Written as an iTXt chunk with keyword {@link PNG_LABEL_KEYWORD} (e.g. the tiny profile's test-signal label). */
  label?: string;
}

/** The iTXt keyword carrying a run's profile label (iTXt, not tEXt: the label is UTF-8, "—" included). */
export const PNG_LABEL_KEYWORD = "DreamFace-Label";

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/**
 * Packs `[H*W*channels]` floats into a PNG of `outChannels` samples per pixel; output sample c
 * reads input channel min(c, channels - 1), so grey input widens to RGB and RGBA narrows to RGB.
 */
function encode(data: Float32Array, width: number, height: number, channels: number, outChannels: number, bits: 8 | 16, label?: string): Uint8Array {
  if (!Number.isInteger(channels) || channels < 1 || channels > 4) throw new Error(`PNG: channels must be 1–4, got ${channels}`);
  if (data.length < width * height * channels) throw new Error(`PNG: expected ${width * height * channels} values, got ${data.length}`);
  const bytesPerSample = bits / 8;
  const stride = width * outChannels * bytesPerSample;
  const raw = new Uint8Array(height * stride);
  const max = bits === 16 ? 65535 : 255;
  for (let p = 0, o = 0; p < width * height; p++) {
    for (let c = 0; c < outChannels; c++) {
      const v = Math.round(max * Math.min(1, Math.max(0, data[p * channels + Math.min(c, channels - 1)]!)));
      if (bits === 16) {
        raw[o++] = v >>> 8; // PNG samples are big-endian
        raw[o++] = v & 255;
      } else raw[o++] = v;
    }
  }
  // "Up" filter: each byte minus the byte above (mod 256); the first row is unfiltered.
  const filtered = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1);
    filtered[row] = y === 0 ? 0 : 2;
    const cur = y * stride, prev = cur - stride;
    if (y === 0) filtered.set(raw.subarray(0, stride), row + 1);
    else for (let i = 0; i < stride; i++) filtered[row + 1 + i] = (raw[cur + i]! - raw[prev + i]!) & 255;
  }
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = bits;
  ihdr[9] = COLOR_TYPE[outChannels]!;
  const text = label === undefined ? [] : [chunk("iTXt", labelChunkData(label))];
  const parts = [SIGNATURE, chunk("IHDR", ihdr), ...text, chunk("IDAT", deflateSync(filtered, { level: 6 })), chunk("IEND", new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((n, q) => n + q.length, 0));
  let off = 0;
  for (const q of parts) {
    out.set(q, off);
    off += q.length;
  }
  return out;
}

/** iTXt payload: keyword, NUL, uncompressed (0, 0), empty language tag and translated keyword, UTF-8 text. */
function labelChunkData(label: string): Uint8Array {
  const utf8 = new TextEncoder();
  return Uint8Array.from([...utf8.encode(PNG_LABEL_KEYWORD), 0, 0, 0, 0, 0, ...utf8.encode(label)]);
}

/** The {@link PNG_LABEL_KEYWORD} text of a PNG, or undefined when it has none (chunks walked, pixels not decoded). */
export function readPngLabel(bytes: Uint8Array): string | undefined {
  checkPngHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const prefix = new TextEncoder().encode(PNG_LABEL_KEYWORD + "\0");
  for (let off = 8; off + 12 <= bytes.length; ) {
    const length = view.getUint32(off);
    const type = String.fromCharCode(...bytes.subarray(off + 4, off + 8));
    const body = bytes.subarray(off + 8, off + 8 + length);
    if (type === "IEND") break;
    if (type === "iTXt" && prefix.every((b, i) => body[i] === b) && body[prefix.length] === 0) {
      // Skip compression flag/method, then the NUL-terminated language tag and translated keyword.
      let p = prefix.length + 2;
      for (let nul = 0; nul < 2 && p < body.length; p++) if (body[p] === 0) nul++;
      return new TextDecoder().decode(body.subarray(p));
    }
    off += 12 + length;
  }
  return undefined;
}

/** Encodes `[H*W*channels]` floats keeping every channel (1 grey … 4 RGBA), 8-bit unless `bits: 16`. */
export function encodePng(data: Float32Array, width: number, height: number, { channels = 3, bits = 8, label }: PngEncodeOptions = {}): Uint8Array {
  return encode(data, width, height, channels, channels, bits, label);
}

/** 8-bit RGB from `[H*W*channels]` floats (first 3 channels used; fewer are repeated); `label` as in {@link PngEncodeOptions}. */
export function encodePng8(data: Float32Array, width: number, height: number, channels = 3, label?: string): Uint8Array {
  return encode(data, width, height, channels, 3, 8, label);
}

/** 16-bit RGB, as encodePng8 (specular and normal maps keep their precision). */
export function encodePng16(data: Float32Array, width: number, height: number, channels = 3, label?: string): Uint8Array {
  return encode(data, width, height, channels, 3, 16, label);
}

/** Encodes as {@link encodePng} and writes the file atomically. */
export function writePng(path: string, data: Float32Array, width: number, height: number, options?: PngEncodeOptions): void {
  writeFileAtomic(path, encodePng(data, width, height, options));
}

export interface DecodedImage {
  data: Float32Array; // [H*W*3] in [0, 1]
  width: number;
  height: number;
  /** Alpha `[H*W]` in [0, 1] (1 where the PNG has none). */
  alpha: Float32Array;
  /** Rec. 709 luminance `[H*W]` in [0, 1], for masks given as grey images. */
  luminance: Float32Array;
}

/** Any PNG as 8-bit RGBA bytes `[H*W*4]` (16-bit samples rescaled), for code that wants bytes. */
export function decodePngBytes(bytes: Uint8Array): { data: Uint8Array; width: number; height: number } {
  checkPngHeader(bytes);
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
}

/** Largest PNG side decoded: 8192 (the largest map the stages write). Beyond it a header alone could ask for gigabytes. */
export const MAX_PNG_SIDE = 8192;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Checks the signature and IHDR before decoding: not a PNG, or too large to decode, is an Error saying which. */
export function checkPngHeader(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 33 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) {
    const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8;
    throw new Error(bytes.length === 0 ? "the file is empty" : jpeg ? "it is a JPEG, not a PNG" : "no PNG signature");
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const width = v.getUint32(16), height = v.getUint32(20);
  if (width > MAX_PNG_SIDE || height > MAX_PNG_SIDE) throw new Error(`it is ${width}×${height}, larger than ${MAX_PNG_SIDE}×${MAX_PNG_SIDE}`);
  return { width, height };
}

/** Any PNG (8/16-bit, grey/RGB/alpha) as float RGB + alpha + luminance in [0, 1]. */
export function decodePng(bytes: Uint8Array): DecodedImage {
  checkPngHeader(bytes);
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true } as never);
  const { width, height } = png;
  // With skipRescale, pngjs hands 16-bit images over as a Uint16Array (native order).
  const src = png.data as unknown as Uint8Array | Uint16Array;
  const max = src instanceof Uint16Array ? 65535 : 255;
  const data = new Float32Array(width * height * 3);
  const alpha = new Float32Array(width * height);
  const luminance = new Float32Array(width * height);
  for (let p = 0; p < width * height; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = src[p * 4 + c]! / max;
    alpha[p] = src[p * 4 + 3]! / max;
    luminance[p] = 0.2126 * data[p * 3]! + 0.7152 * data[p * 3 + 1]! + 0.0722 * data[p * 3 + 2]!;
  }
  return { data, width, height, alpha, luminance };
}

/** Reads a PNG file as {@link decodePng}; throws a message naming the file. */
export function readPng(path: string): DecodedImage {
  try {
    return decodePng(readFileSync(path));
  } catch (error) {
    throw new Error(`${path} is not a readable PNG (${(error as Error).message})`);
  }
}
