// Tracked landmarks (and crops) kept in the run folder, keyed by the inputs' bytes and the
// sampling settings. While tracking, every frame is appended to tracking.partial.jsonl (fsync'd);
// at the end the whole list becomes tracking.json (atomic) and the journal is removed. A re-run
// of the same command in the same --run-dir reuses tracking.json, or after a kill continues the
// journal where it stopped. Frames are tracked independently (see tracker-page.ts), so a resumed
// run gives the same landmarks, and fitting is deterministic: the same .glb, byte for byte.
import { createHash } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../io/atomic.js";
import { writeAll } from "../io/fault.js";
import type { TrackedFrame } from "./track.js";

export interface TrackingKey {
  inputs: readonly string[];
  fps: number;
  maxFrames: number;
  crops: boolean;
  video: boolean;
}

type StoredFrame = Omit<TrackedFrame, "landmarks" | "crop"> & { landmarks: number[] | null; crop?: string | null };

/** What a tracker reports: frames already done (by index) are skipped; new ones are announced. */
export interface TrackingJournal {
  done: ReadonlyMap<number, TrackedFrame>;
  record(index: number, frame: TrackedFrame): void;
}

function keyOf(k: TrackingKey): string {
  const h = createHash("sha256").update(JSON.stringify({ ...k, inputs: undefined }));
  for (const path of k.inputs) h.update(readFileSync(path));
  return h.digest("hex");
}

// Float32 values print exactly enough to read back bit-identical.
const store = (f: TrackedFrame): StoredFrame => ({ ...f, landmarks: f.landmarks ? Array.from(f.landmarks) : null, crop: f.crop ? Buffer.from(f.crop).toString("base64") : null });
const load = ({ crop, landmarks, ...rest }: StoredFrame): TrackedFrame => ({
  ...rest,
  landmarks: landmarks ? Float32Array.from(landmarks) : null,
  ...(crop ? { crop: new Uint8Array(Buffer.from(crop, "base64")) } : {}),
});

export async function cachedTracking(runDir: string, key: TrackingKey, track: (journal: TrackingJournal) => Promise<TrackedFrame[]>): Promise<TrackedFrame[]> {
  const path = join(runDir, "tracking.json");
  const partial = join(runDir, "tracking.partial.jsonl");
  const digest = keyOf(key);
  if (existsSync(path)) {
    try {
      const stored = JSON.parse(readFileSync(path, "utf8")) as { key: string; frames: StoredFrame[] };
      if (stored.key === digest) return stored.frames.map(load);
    } catch {
      // A damaged cache is simply tracked again.
    }
  }
  const done = new Map<number, TrackedFrame>();
  if (existsSync(partial)) {
    const lines = readFileSync(partial, "utf8").split("\n");
    if (lines[0] === JSON.stringify({ key: digest })) {
      // The last line may be cut by the kill: keep only complete records.
      for (const line of lines.slice(1)) {
        try {
          const { index, frame } = JSON.parse(line) as { index: number; frame: StoredFrame };
          done.set(index, load(frame));
        } catch {
          break;
        }
      }
    }
  }
  // Rewrite the journal with the complete records only, then append.
  mkdirSync(runDir, { recursive: true });
  const fd = openSync(partial, "w");
  let finished = false;
  try {
    writeSync(fd, JSON.stringify({ key: digest }) + "\n");
    for (const [index, frame] of done) writeSync(fd, JSON.stringify({ index, frame: store(frame) }) + "\n");
    fsyncSync(fd);
    const frames = await track({
      done,
      record(index, frame) {
        writeAll(fd, Buffer.from(JSON.stringify({ index, frame: store(frame) }) + "\n", "utf8"));
        fsyncSync(fd);
      },
    });
    writeJsonAtomic(path, { key: digest, frames: frames.map(store) });
    finished = true;
    return frames;
  } finally {
    closeSync(fd);
    if (finished) rmSync(partial, { force: true });
  }
}
