// The tracking journal: a run killed mid-way resumes from the frames it had written (a cut last
// line included) and ends with the same frames as an uninterrupted run; a finished run is reused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cachedTracking, type TrackingKey } from "../../../data-loaders/animation/tracking-cache.js";
import type { TrackedFrame } from "../../../data-loaders/animation/track.js";
import { tempDir } from "../../helpers/tmp.js";

const tmp = tempDir("dreamface-journal-");
const input = join(tmp, "video.webm");
writeFileSync(input, "stand-in bytes: the key hashes them");
const key: TrackingKey = { inputs: [input], fps: 4, maxFrames: 100, crops: true, video: true };
const frame = (i: number): TrackedFrame => ({
  time: i / 4, source: `v@${i}`, width: 64, height: 48, faces: i === 2 ? 0 : 1,
  landmarks: i === 2 ? null : Float32Array.from({ length: 468 * 3 }, (_, k) => Math.fround(Math.sin(i * 1000 + k))),
  crop: Uint8Array.from({ length: 12 }, (_, k) => (i * 7 + k) & 255),
});
const COUNT = 8;

test("a killed run resumes from its journal and matches an uninterrupted run", async () => {
  const full = await cachedTracking(join(tmp, "full"), key, async (j) => Array.from({ length: COUNT }, (_, i) => (j.record(i, frame(i)), frame(i))));

  const dir = join(tmp, "killed");
  await assert.rejects(
    cachedTracking(dir, key, async (j) => {
      for (let i = 0; i < COUNT; i++) {
        if (i === 5) throw new Error("killed");
        j.record(i, frame(i));
      }
      return [];
    }),
    /killed/,
  );
  assert.ok(existsSync(join(dir, "tracking.partial.jsonl")));
  appendFileSync(join(dir, "tracking.partial.jsonl"), '{"index":5,"frame":{"tim'); // cut by the kill
  const asked: number[] = [];
  const resumed = await cachedTracking(dir, key, async (j) =>
    Array.from({ length: COUNT }, (_, i) => {
      const known = j.done.get(i);
      if (known) return known;
      asked.push(i);
      j.record(i, frame(i));
      return frame(i);
    }),
  );
  assert.deepEqual(asked, [5, 6, 7], "only the frames after the last complete record are tracked again");
  assert.deepEqual(resumed, full);
  assert.ok(!existsSync(join(dir, "tracking.partial.jsonl")), "the journal is removed once tracking.json is written");
  assert.deepEqual(JSON.parse(readFileSync(join(dir, "tracking.json"), "utf8")), JSON.parse(readFileSync(join(tmp, "full", "tracking.json"), "utf8")));

  const again = await cachedTracking(dir, key, async () => assert.fail("a finished run must not track again"));
  assert.deepEqual(again, full);
});

test("a journal from other inputs is ignored", async () => {
  const dir = join(tmp, "other");
  await assert.rejects(cachedTracking(dir, { ...key, fps: 5 }, async (j) => { j.record(0, frame(0)); throw new Error("killed"); }), /killed/);
  const seen: number[] = [];
  await cachedTracking(dir, key, async (j) => { seen.push(j.done.size); return [frame(0)]; });
  assert.deepEqual(seen, [0]);
});
