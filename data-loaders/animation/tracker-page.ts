// The loopback page `dreamface animate` drives in headless Chromium: MediaPipe Face Mesh loaded
// from the package files the server hands out (never a CDN), plus two entry points the Node side
// calls with page.evaluate: trackImage(url), openVideo(url, fps, maxFrames), trackVideoFrame(i).
//
// Video frames are decoded by Chromium itself (<video>, seek, draw to a canvas), so the codecs
// are Chromium's. Debian's chromium 156 plays WebM (VP8/VP9/AV1) and MP4 (H.264), but not Ogg
// Theora, HEVC or QuickTime (canPlayType); those end in a MediaError that we report.
export const TRACKER_PAGE = String.raw`<!doctype html>
<html><head><meta charset="utf-8"><title>dreamface tracker</title>
<script src="/mediapipe/face_mesh.js" crossorigin="anonymous"></script>
</head><body>
<canvas id="frame"></canvas>
<script>
const faceMesh = new FaceMesh({ locateFile: (file) => "/mediapipe/" + file });
faceMesh.setOptions({ maxNumFaces: 4, refineLandmarks: false, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 });
let resolveResults = null;
faceMesh.onResults((results) => {
  const faces = (results.multiFaceLandmarks || []).map((lm) => lm.flatMap((p) => [p.x, p.y, p.z]));
  const done = resolveResults;
  resolveResults = null;
  if (done) done(faces);
});
async function detect(image) {
  const faces = new Promise((resolve) => { resolveResults = resolve; });
  await faceMesh.send({ image });
  return faces;
}
// The personalized path's input: a square window 1.4× the landmarks' box, resampled to 256²
// RGB by the canvas, returned as base64.
const CROP = 256;
const cropCanvas = document.createElement("canvas");
cropCanvas.width = CROP;
cropCanvas.height = CROP;
function faceCrop(source, width, height, landmarks) {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < landmarks.length; i += 3) {
    x0 = Math.min(x0, landmarks[i] * width); x1 = Math.max(x1, landmarks[i] * width);
    y0 = Math.min(y0, landmarks[i + 1] * height); y1 = Math.max(y1, landmarks[i + 1] * height);
  }
  const side = Math.max(x1 - x0, y1 - y0) * 1.4;
  const ctx = cropCanvas.getContext("2d");
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, CROP, CROP);
  ctx.drawImage(source, (x0 + x1) / 2 - side / 2, (y0 + y1) / 2 - side / 2, side, side, 0, 0, CROP, CROP);
  const rgba = ctx.getImageData(0, 0, CROP, CROP).data;
  let binary = "";
  for (let i = 0; i < rgba.length; i += 4) binary += String.fromCharCode(rgba[i], rgba[i + 1], rgba[i + 2]);
  return btoa(binary);
}
function waitFor(target, ok, bad) {
  return new Promise((resolve, reject) => {
    target.addEventListener(ok, () => resolve(), { once: true });
    target.addEventListener(bad, () => reject(new Error(target.error ? "MediaError " + target.error.code + ": " + (target.error.message || "decode failed") : "load failed")), { once: true });
  });
}
window.trackImage = async (url, withCrop) => {
  const img = new Image();
  const loaded = waitFor(img, "load", "error");
  img.src = url;
  // A cached image may already be complete before the handler could fire.
  if (!img.complete) await loaded;
  else if (!img.naturalWidth) throw new Error("image could not be decoded");
  faceMesh.reset(); // independent photos: no tracking carried over
  const faces = await detect(img);
  const crop = withCrop && faces[0] ? faceCrop(img, img.naturalWidth, img.naturalHeight, faces[0]) : null;
  return { width: img.naturalWidth, height: img.naturalHeight, faces, crop };
};
// Videos are tracked one frame per call (openVideo, then trackVideoFrame(i)), so Node can show
// progress and no single call runs for the whole video.
let video = null, ctx = null, canvas = null, videoFps = 1;
window.openVideo = async (url, fps, maxFrames) => {
  video = document.createElement("video");
  video.muted = true;
  video.preload = "auto";
  const ready = waitFor(video, "loadeddata", "error");
  video.src = url;
  await ready;
  if (!video.videoWidth) throw new Error("the video has no decodable video track");
  // WebM from MediaRecorder (and some streams) carry no duration: seeking far makes Chromium find it.
  if (!Number.isFinite(video.duration)) {
    const known = new Promise((resolve) => video.addEventListener("durationchange", () => Number.isFinite(video.duration) && resolve()));
    video.currentTime = 1e7;
    await Promise.race([known, new Promise((r) => setTimeout(r, 5000))]);
  }
  canvas = document.getElementById("frame");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  ctx = canvas.getContext("2d");
  videoFps = fps;
  const duration = Number.isFinite(video.duration) ? video.duration : 0;
  const count = Math.min(maxFrames, Math.max(1, Math.floor(duration * fps + 1e-6)));
  faceMesh.reset();
  return { width: video.videoWidth, height: video.videoHeight, duration, count };
};
window.trackVideoFrame = async (i, withCrop) => {
  const time = i / videoFps;
  if (Math.abs(video.currentTime - time) > 1e-4) {
    const seeked = waitFor(video, "seeked", "error");
    video.currentTime = time;
    await seeked;
  }
  ctx.drawImage(video, 0, 0);
  // Each frame is detected from scratch (no ROI carried over), so a frame's landmarks do not
  // depend on which frames came before: a resumed run sees exactly what a full run sees.
  faceMesh.reset();
  const faces = await detect(canvas);
  return { time, faces, crop: withCrop && faces[0] ? faceCrop(canvas, canvas.width, canvas.height, faces[0]) : null };
};
window.trackerReady = faceMesh.initialize().then(() => true);
</script></body></html>`;
