/**
 * tracker: MediaPipe Face Mesh (468 landmarks) in the page, on a webcam, a video file, images
 * or a given <img>/<canvas>. The solution's files are served by the site itself (loaders in
 * src/data/mediapipe/), passed in as `files` (name → URL), so nothing comes from a CDN.
 *
 *   const t = tracker({files, onFrame: (f) => …});
 *   display(t);                 // a <figure>: preview canvas with landmarks + source controls
 *   await t.track(imgOrCanvas); // one still → TrackerFrame
 *   t.stop();                   // stops the webcam / video loop (also on `invalidation`)
 *
 * Each TrackerFrame has `landmarks` `[468*3]` (MediaPipe-normalized x, y, z) or null when no
 * face is found, the source size, and a time in seconds. `t.value` is the latest frame and an
 * "input" event fires on every frame, so `Generators.input(t)` works in Framework.
 */
export interface TrackerFrame {
  time: number;
  width: number;
  height: number;
  landmarks: Float32Array | null;
}

export interface TrackerOptions {
  /** URLs of face_mesh.js and every file it loads through locateFile, by file name. */
  files: Readonly<Record<string, string>>;
  onFrame?: (frame: TrackerFrame) => void;
  width?: number;
  /** Shown on the preview until a source is chosen (e.g. a sample photo's URL). */
  sample?: string;
  invalidation?: Promise<unknown>;
}

export interface TrackerElement extends HTMLElement {
  value: TrackerFrame | null;
  track(source: HTMLImageElement | HTMLCanvasElement | HTMLVideoElement, time?: number): Promise<TrackerFrame>;
  stop(): void;
  readonly ready: Promise<void>;
}

interface FaceMeshSolution {
  setOptions(o: Record<string, unknown>): void;
  onResults(cb: (r: { multiFaceLandmarks?: { x: number; y: number; z: number }[][] }) => void): void;
  send(input: { image: unknown }): Promise<void>;
  initialize(): Promise<void>;
  reset(): void;
  close(): Promise<void>;
}

let scriptLoad: Promise<void> | undefined;

/** face_mesh.js is a classic script that defines window.FaceMesh; load it once per page. */
function loadScript(url: string): Promise<void> {
  return (scriptLoad ??= new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = url;
    s.crossOrigin = "anonymous";
    s.onload = () => resolve();
    s.onerror = () => reject(new Error(`could not load ${url}`));
    document.head.append(s);
  }));
}

export function tracker({ files, onFrame, width = 320, sample, invalidation }: TrackerOptions): TrackerElement {
  const figure = document.createElement("figure") as unknown as TrackerElement;
  figure.className = "tracker";
  figure.style.margin = "0";
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = Math.round(width * 0.75);
  canvas.style.maxWidth = "100%";
  const ctx = canvas.getContext("2d")!;
  ctx.fillStyle = "#222";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = "#ddd";
  ctx.font = "14px sans-serif";
  ctx.fillText("choose a webcam, a video or images", 12, 24);
  const controls = document.createElement("div");
  controls.style.cssText = "display:flex;gap:.5rem;flex-wrap:wrap;margin:.4rem 0;font:13px sans-serif";
  const camButton = button("Webcam");
  const videoInput = fileInput("Video", "video/*", false);
  const imagesInput = fileInput("Images", "image/*", true);
  const status = document.createElement("figcaption");
  status.textContent = "loading the tracker…";
  controls.append(camButton, videoInput.label, imagesInput.label);
  figure.append(canvas, controls, status);
  figure.value = null;

  let solution: FaceMeshSolution | undefined;
  let pending: ((faces: { x: number; y: number; z: number }[][]) => void) | null = null;
  let stopLoop: (() => void) | null = null;

  const ready = (async () => {
    const script = files["face_mesh.js"];
    if (!script) throw new Error("tracker: files must include face_mesh.js");
    await loadScript(script);
    const FaceMesh = (window as unknown as { FaceMesh: new (o: { locateFile: (f: string) => string }) => FaceMeshSolution }).FaceMesh;
    solution = new FaceMesh({
      locateFile: (file) => {
        const url = files[file];
        if (!url) throw new Error(`tracker: no URL for MediaPipe file ${file}`);
        return url;
      },
    });
    solution.setOptions({ maxNumFaces: 1, refineLandmarks: false, minDetectionConfidence: 0.5, minTrackingConfidence: 0.5 });
    solution.onResults((r) => {
      const done = pending;
      pending = null;
      done?.(r.multiFaceLandmarks ?? []);
    });
    await solution.initialize();
    status.textContent = "tracker ready";
  })();
  ready.catch((e: Error) => (status.textContent = `tracker failed: ${e.message}`));

  async function track(source: HTMLImageElement | HTMLCanvasElement | HTMLVideoElement, time = 0): Promise<TrackerFrame> {
    await ready;
    const faces = new Promise<{ x: number; y: number; z: number }[][]>((resolve) => (pending = resolve));
    await solution!.send({ image: source });
    const found = await faces;
    const w = "videoWidth" in source ? source.videoWidth : "naturalWidth" in source ? source.naturalWidth : source.width;
    const h = "videoHeight" in source ? source.videoHeight : "naturalHeight" in source ? source.naturalHeight : source.height;
    const first = found[0];
    const frame: TrackerFrame = { time, width: w, height: h, landmarks: first ? Float32Array.from(first.flatMap((p) => [p.x, p.y, p.z])) : null };
    draw(source, frame);
    figure.value = frame;
    figure.dispatchEvent(new Event("input", { bubbles: true }));
    onFrame?.(frame);
    status.textContent = frame.landmarks ? `face: ${frame.landmarks.length / 3} landmarks` : "no face in this frame";
    return frame;
  }

  function draw(source: CanvasImageSource, frame: TrackerFrame): void {
    canvas.height = Math.round((canvas.width * frame.height) / Math.max(frame.width, 1));
    ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
    if (!frame.landmarks) return;
    ctx.fillStyle = "#3cf";
    for (let i = 0; i < frame.landmarks.length / 3; i++) ctx.fillRect(frame.landmarks[i * 3]! * canvas.width - 1, frame.landmarks[i * 3 + 1]! * canvas.height - 1, 2, 2);
  }

  /** Tracks a playing <video> once per animation frame until stopped or ended. */
  function loop(video: HTMLVideoElement, onEnd?: () => void): void {
    stop();
    let running = true;
    const t0 = performance.now();
    solution?.reset();
    const step = async () => {
      if (!running) return;
      if (video.ended) { running = false; onEnd?.(); return; }
      if (video.readyState >= 2) await track(video, (performance.now() - t0) / 1000);
      requestAnimationFrame(step);
    };
    stopLoop = () => { running = false; onEnd?.(); };
    requestAnimationFrame(step);
  }

  function stop(): void {
    const s = stopLoop;
    stopLoop = null;
    s?.();
  }

  camButton.onclick = async () => {
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
      const video = document.createElement("video");
      video.muted = true;
      video.playsInline = true;
      video.srcObject = stream;
      await video.play();
      loop(video, () => stream.getTracks().forEach((t) => t.stop()));
    } catch (e) {
      status.textContent = `webcam unavailable: ${(e as Error).message}`;
    }
  };
  videoInput.input.onchange = async () => {
    const file = videoInput.input.files?.[0];
    if (!file) return;
    const video = document.createElement("video");
    video.muted = true;
    video.src = URL.createObjectURL(file);
    video.onerror = () => (status.textContent = `cannot play ${file.name} (Chromium plays WebM and MP4/H.264)`);
    await video.play().catch(() => undefined);
    loop(video, () => URL.revokeObjectURL(video.src));
  };
  imagesInput.input.onchange = async () => {
    stop();
    const list = [...(imagesInput.input.files ?? [])];
    for (let i = 0; i < list.length; i++) {
      const img = new Image();
      img.src = URL.createObjectURL(list[i]!);
      await img.decode();
      solution?.reset(); // stills are independent
      await track(img, i);
      URL.revokeObjectURL(img.src);
    }
  };

  if (sample) {
    const img = new Image();
    img.src = sample;
    img.decode().then(() => track(img, 0)).catch((e: Error) => (status.textContent = `sample: ${e.message}`));
  }
  invalidation?.then(() => {
    stop();
    solution?.close();
  });
  Object.defineProperty(figure, "ready", { value: ready });
  figure.track = track;
  figure.stop = stop;
  return figure;
}

function button(text: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  return b;
}

function fileInput(text: string, accept: string, multiple: boolean): { label: HTMLLabelElement; input: HTMLInputElement } {
  const label = document.createElement("label");
  const input = document.createElement("input");
  input.type = "file";
  input.accept = accept;
  input.multiple = multiple;
  label.append(`${text} `, input);
  return { label, input };
}
