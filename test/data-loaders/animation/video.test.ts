// The video path end to end: Chromium records a short WebM (VP8) of the astronaut photo with
// MediaRecorder, then trackVideo samples it by seeking and finds the face in every frame.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { launchChromium } from "../../../data-loaders/browser/chromium.js";
import { sharedDir } from "../../../data-loaders/io/paths.js";
import { trackVideo } from "../../../data-loaders/animation/track.js";
import { tempDir } from "../../helpers/tmp.js";

async function recordWebm(png: Buffer, seconds: number): Promise<Buffer> {
  const chromium = await launchChromium();
  try {
    const page = await chromium.context.newPage();
    const base64 = await page.evaluate(
      async ({ dataUrl, ms }) => {
        const img = new Image();
        img.src = dataUrl;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = 256;
        canvas.height = 256;
        const ctx = canvas.getContext("2d")!;
        const stream = canvas.captureStream(15);
        const recorder = new MediaRecorder(stream, { mimeType: "video/webm;codecs=vp8" });
        const chunks: Blob[] = [];
        recorder.ondataavailable = (e) => chunks.push(e.data);
        const stopped = new Promise((r) => (recorder.onstop = r));
        recorder.start();
        const t0 = performance.now();
        // A slow zoom, so frames differ.
        while (performance.now() - t0 < ms) {
          const k = 1 + (performance.now() - t0) / ms / 4;
          ctx.drawImage(img, 0, 0, 512 / k, 512 / k, 0, 0, 256, 256);
          await new Promise((r) => setTimeout(r, 40));
        }
        recorder.stop();
        await stopped;
        const bytes = new Uint8Array(await new Blob(chunks).arrayBuffer());
        let s = "";
        for (const b of bytes) s += String.fromCharCode(b);
        return btoa(s);
      },
      { dataUrl: `data:image/png;base64,${png.toString("base64")}`, ms: seconds * 1000 },
    );
    return Buffer.from(base64, "base64");
  } finally {
    await chromium.close();
  }
}

test("trackVideo decodes a WebM (no duration header), seeks every 1/fps s and finds the face", async () => {
  const tmp = tempDir("dreamface-video-");
  const video = join(tmp, "astronaut.webm");
  writeFileSync(video, await recordWebm(readFileSync(join(sharedDir()!, "faces", "astronaut.png")), 1.5));
  const frames = await trackVideo(video, { fps: 4, maxFrames: 10 });
  assert.ok(frames.length >= 4 && frames.length <= 7, `${frames.length} frames from a ~1.5 s video at 4 fps`);
  assert.deepEqual(frames.map((f) => f.time), frames.map((_, i) => i / 4));
  for (const f of frames) {
    assert.equal(f.width, 256);
    assert.ok(f.landmarks, `no face at ${f.time}s`);
  }
});
