// Tracking through the stage loop: a run stopped mid-way (a torn last row included) resumes at
// the first frame it had not checkpointed and ends with the same frames and files as an
// uninterrupted run; a finished run is reused without tracking; a folder of other inputs is refused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runLoop } from "../../../data-loaders/run/index.js";
import { UserError } from "../../../data-loaders/cli/errors.js";
import { FrameTracking, TRACKING_TRAJECTORY, rowFrame, trackingKey, type TrackingKey } from "../../../data-loaders/animation/tracking-run.js";
import type { TrackedFrame } from "../../../data-loaders/animation/track.js";
import { filesOf } from "../../helpers/kill.js";
import { tempDir } from "../../helpers/tmp.js";

const tmp = tempDir("dreamface-tracking-run-");
const input = join(tmp, "video.webm");
writeFileSync(input, "stand-in bytes: the key hashes them");
const key: TrackingKey = { inputs: [input], fps: 4, maxFrames: 100, crops: true, video: true };
const frame = (i: number): TrackedFrame => ({
  time: i / 4, source: `v@${i}`, width: 64, height: 48, faces: i === 2 ? 0 : 1,
  landmarks: i === 2 ? null : Float32Array.from({ length: 468 * 3 }, (_, k) => Math.fround(Math.sin(i * 1000 + k))),
  crop: Uint8Array.from({ length: 12 }, (_, k) => (i * 7 + k) & 255),
});
const COUNT = 8;

async function track(dir: string, asked: number[], k = key, stopAfter?: number): Promise<TrackedFrame[]> {
  const system = new FrameTracking(COUNT, trackingKey(k), async (i) => (asked.push(i), frame(i)));
  const loop = await runLoop(system, { dir, label: "tracking", trajectory: TRACKING_TRAJECTORY, checkpointEvery: 1, quiet: true, stopAfter });
  return loop.log.rows().map(rowFrame);
}

test("a stopped run resumes at its first unchecked frame and matches an uninterrupted run", async () => {
  const full = await track(join(tmp, "full"), []);
  assert.deepEqual(full, Array.from({ length: COUNT }, (_, i) => frame(i)), "frames read back bit-identical (landmarks, crops, a faceless frame)");

  const dir = join(tmp, "killed");
  await track(dir, [], key, 5);
  appendFileSync(join(dir, "tracking.jsonl"), '{"step":5,"time":1.2'); // a row cut by the kill
  const asked: number[] = [];
  const resumed = await track(dir, asked);
  assert.deepEqual(asked, [5, 6, 7], "only the frames after the last checkpoint are tracked again");
  assert.deepEqual(resumed, full);
  assert.deepEqual(filesOf(dir), filesOf(join(tmp, "full")), "the same tracking.jsonl and checkpoints");
  assert.ok(readFileSync(join(dir, "tracking.jsonl"), "utf8").endsWith("\n"));

  const again: number[] = [];
  assert.deepEqual(await track(dir, again), full);
  assert.deepEqual(again, [], "a finished run must not track again");
});

test("a run folder of other inputs or settings is refused, not mixed", async () => {
  const dir = join(tmp, "other");
  await track(dir, [], { ...key, fps: 5 }, 1);
  await assert.rejects(track(dir, []), (e: unknown) => e instanceof UserError && /checkpoint does not match this run: it tracked other inputs/.test(e.message));
});
