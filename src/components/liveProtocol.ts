/**
 * The messages between the live page and its engine: the in-browser Web Worker
 * (liveWorker.ts) or `dreamface serve` (data-loaders/live/serve.ts, as server-sent events).
 * One vocabulary for both, so the page does not care which engine runs the loop.
 */
import type { ExperimentInput } from "../engine/config/experiment.js";
import type { Schedule } from "../engine/config/schedule.js";
import type { LiveStage } from "../engine/live/controls.js";

/** What the in-browser engine fetches (URLs the page resolved with FileAttachment). */
export interface LiveAssets {
  wasm: string;
  models: Record<string, string>;
  faceModel: string;
  pool: string;
  merges: string;
}

export type LiveCommand =
  /** `stage` "texture": carve `geometry.carving.steps` steps (quietly), then latent-space texture SDS on that T† and N_d. */
  | { type: "start"; experiment: ExperimentInput; snapshotEvery: number; stage?: LiveStage }
  | { type: "pause" }
  | { type: "resume" }
  | { type: "set"; key: string; value: Schedule };

export interface LiveSnapshot {
  type: "snapshot";
  step: number;
  /** Front render of T† with N_d, [size²·3] linear RGB. */
  render: Float32Array;
  size: number;
  /** N_d as RGB, [normalHeight × normalWidth × 3]: the atlas, face tile | head tile. */
  normal: Float32Array;
  normalWidth: number;
  normalHeight: number;
  /** T† [V*3] (cm), for the three.js view. */
  positions: Float32Array;
}

/** Texture stage: the face tile of z, by the linear latent→RGB factors (approximation) and decoded by the VAE. */
export interface LiveTextureSnapshot {
  type: "texture";
  step: number;
  /** [latentSize²·3] in [0, 1]. */
  latent: Float32Array;
  latentSize: number;
  /** [diffuseSize²·3] sRGB-encoded diffuse, as the decoder gives it. */
  diffuse: Float32Array;
  diffuseSize: number;
}

export type LiveEvent =
  | { type: "status"; state: "loading" | "running" | "paused" | "done"; engine?: string; runId?: string; dir?: string }
  /** `carving` (texture runs): the carving steps and config the textured T† and N_d came from, for the export. */
  | { type: "started"; stage?: LiveStage; coarseIndex: number; total: number; triangles: Uint32Array; config: Record<string, unknown>; carving?: { steps: number; config: Record<string, unknown> } }
  | { type: "row"; row: Record<string, number | string | null>; changed: string[] }
  | { type: "change"; step: number; key: string; value: Schedule }
  | LiveSnapshot
  | LiveTextureSnapshot
  | { type: "error"; message: string };

/** Typed arrays as base64 for JSON transports (server-sent events). */
const ARRAYS = ["render", "normal", "positions", "triangles", "latent", "diffuse"] as const;

export function encodeEvent(event: LiveEvent): string {
  const out: Record<string, unknown> = { ...event };
  for (const k of ARRAYS) {
    const v = out[k];
    if (ArrayBuffer.isView(v)) out[k] = { $: v instanceof Uint32Array ? "u32" : "f32", b64: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
  }
  return JSON.stringify(out);
}

export function decodeEvent(text: string): LiveEvent {
  const out = JSON.parse(text) as Record<string, unknown>;
  for (const k of ARRAYS) {
    const v = out[k] as { $: string; b64: string } | undefined;
    if (v && typeof v === "object" && "b64" in v) {
      const bytes = fromBase64(v.b64);
      out[k] = v.$ === "u32" ? new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4) : new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    }
  }
  return out as unknown as LiveEvent;
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
