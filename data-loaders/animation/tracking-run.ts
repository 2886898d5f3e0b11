// Tracking as a resumable system of the one stage loop (data-loaders/run/loop.ts): one step per
// frame, whose trajectory row is the tracked frame itself (landmarks and crop as base64 of their
// bytes, so they read back bit-identical). The rows, cut back by the loop to its newest
// checkpoint, are the frames tracked so far; the checkpoint holds the step and the key of the
// inputs' bytes and sampling settings, so a folder of other inputs is refused, never mixed.
// Frames are tracked independently (see tracker-page.ts): a run resumed at any frame sees the
// same landmarks as an uninterrupted one, and fitting is deterministic, so the .glb is the same.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { RestoreMismatchError, expectStep, type Resumable, type ResumableState, type StepRow } from "../../src/engine/run/resumable.js";
import type { TrajectoryRow } from "../run/index.js";
import type { TrackedFrame } from "./track.js";

export interface TrackingKey {
  inputs: readonly string[];
  fps: number;
  maxFrames: number;
  crops: boolean;
  video: boolean;
}

/** The trajectory the frames go to: `<run folder>/tracking.jsonl`. */
export const TRACKING_TRAJECTORY = "tracking";

export function trackingKey(k: TrackingKey): string {
  const h = createHash("sha256").update(JSON.stringify({ ...k, inputs: undefined }));
  for (const path of k.inputs) h.update(readFileSync(path));
  return h.digest("hex");
}

const b64 = (bytes: ArrayBufferView) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");

export function frameRow(step: number, f: TrackedFrame): StepRow {
  return { step, time: f.time, source: f.source, width: f.width, height: f.height, faces: f.faces, landmarks: f.landmarks ? b64(f.landmarks) : null, crop: f.crop ? b64(f.crop) : null };
}

export function rowFrame(r: TrajectoryRow): TrackedFrame {
  const bytes = (v: unknown) => new Uint8Array(Buffer.from(String(v), "base64"));
  return {
    time: Number(r.time), source: String(r.source), width: Number(r.width), height: Number(r.height), faces: Number(r.faces),
    landmarks: r.landmarks === null ? null : new Float32Array(bytes(r.landmarks).buffer),
    ...(r.crop !== null && r.crop !== undefined ? { crop: bytes(r.crop) } : {}),
  };
}

/**
 * `total` frames, frame i tracked by `track(i)`. The tracker is opened only when a frame is
 * actually tracked (`track` may open it lazily), so re-running a finished run starts no browser.
 */
export class FrameTracking implements Resumable {
  step = 0;
  constructor(
    readonly total: number,
    private readonly key: string,
    private readonly track: (index: number) => Promise<TrackedFrame>,
  ) {}

  async next(): Promise<StepRow> {
    const frame = await this.track(this.step);
    return frameRow(this.step++, frame);
  }

  state(): ResumableState {
    return { step: this.step, total: this.total, key: this.key };
  }

  restore(state: ResumableState): void {
    if (state.key !== this.key) throw new RestoreMismatchError("it tracked other inputs or other sampling settings (--fps, --max-frames, --path)");
    if (state.total !== this.total) throw new RestoreMismatchError(`it tracks ${String(state.total)} frames, not ${this.total}`);
    this.step = expectStep(state, this.total);
  }
}
