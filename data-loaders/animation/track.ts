// Runs MediaPipe Face Mesh in headless Chromium on images or a video and returns the landmarks
// of each frame. A loopback HTTP server serves the tracker page, the package's files and the
// inputs; nothing is fetched from the network.
import { createServer, type Server } from "node:http";
import { createReadStream, existsSync, statSync } from "node:fs";
import { basename, extname, join } from "node:path";
import type { AddressInfo } from "node:net";
import { chromiumPath, launchChromium } from "../browser/chromium.js";
import { UserError } from "../cli/errors.js";
import { progress } from "../run/progress.js";
import { faceMeshDir, faceMeshFiles } from "./mediapipe-assets.js";
import { TRACKER_PAGE } from "./tracker-page.js";

export const LANDMARK_COUNT = 468;

export interface TrackedFrame {
  /** Seconds from the start (images: index / fps). */
  time: number;
  /** Where the frame came from (file name, or "video@t"). */
  source: string;
  width: number;
  height: number;
  /** Faces MediaPipe found; landmarks are of the first one. */
  faces: number;
  /** `[468*3]` normalized x, y (0..1, y down) and z (MediaPipe's scale), or null when no face. */
  landmarks: Float32Array | null;
  /** 256² RGB face crop (bytes), when asked for (the personalized path's input). */
  crop?: Uint8Array | null;
}

const TYPES: Record<string, string> = {
  ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html", ".png": "image/png",
  ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".webp": "image/webp", ".gif": "image/gif", ".bmp": "image/bmp",
  ".webm": "video/webm", ".mp4": "video/mp4", ".m4v": "video/mp4", ".ogv": "video/ogg", ".ogg": "video/ogg", ".mov": "video/quicktime",
};

async function serve(inputs: readonly string[]): Promise<{ server: Server; base: string }> {
  const mpDir = faceMeshDir();
  const mpFiles = new Set(faceMeshFiles());
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    // Byte ranges let <video> seek in long files. Files are streamed, a range only its bytes:
    // <video> asks for a range per seek, and reading the whole video each time would re-read it
    // once per tracked frame.
    const send = (path: string) => {
      const size = statSync(path).size;
      const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
      const type = TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
      const stream = (start: number, end: number) => {
        if (end < start) return void res.end();
        createReadStream(path, { start, end }).on("error", () => res.destroy()).pipe(res);
      };
      if (range) {
        const start = Number(range[1]), end = range[2] ? Math.min(Number(range[2]), size - 1) : size - 1;
        res.writeHead(206, { "content-type": type, "content-range": `bytes ${start}-${end}/${size}`, "accept-ranges": "bytes", "content-length": end - start + 1 });
        stream(start, end);
      } else {
        res.writeHead(200, { "content-type": type, "accept-ranges": "bytes", "content-length": size });
        stream(0, size - 1);
      }
    };
    if (url.pathname === "/") {
      res.writeHead(200, { "content-type": "text/html" });
      res.end(TRACKER_PAGE);
    } else if (url.pathname.startsWith("/mediapipe/") && mpFiles.has(url.pathname.slice(11))) {
      send(join(mpDir, url.pathname.slice(11)));
    } else if (/^\/input\/\d+(\.\w+)?$/.test(url.pathname)) {
      const index = Number(/\d+/.exec(url.pathname)![0]);
      if (inputs[index]) send(inputs[index]!);
      else res.writeHead(404).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

interface PageFrame { time: number; faces: number[][]; crop: string | null }

type Evaluate = <R>(fn: string) => Promise<R>;

/** Starts the browser + page; `close` tears both down. */
async function openTracker(inputs: readonly string[]): Promise<{ evaluate: Evaluate; close: () => Promise<void> }> {
  for (const p of inputs) {
    if (!existsSync(p) || !statSync(p).isFile()) throw new UserError(`input not found: ${p}`);
  }
  chromiumPath(); // no browser: fail now, before a server exists that would keep the process alive
  const { server, base } = await serve(inputs);
  const chromium = await launchChromium().catch(async (error: unknown) => {
    await new Promise((resolve) => server.close(resolve));
    throw error;
  });
  const close = async () => {
    await chromium.close();
    await new Promise((resolve) => server.close(resolve));
  };
  try {
    const page = await chromium.context.newPage();
    page.setDefaultTimeout(180_000);
    await page.goto(`${base}/`);
    await page.evaluate("window.trackerReady");
    return { evaluate: (fn) => page.evaluate(fn), close };
  } catch (error) {
    await close();
    throw error;
  }
}

function toFrame(time: number, source: string, width: number, height: number, faces: number[][], crop: string | null = null): TrackedFrame {
  // Several faces: keep the first MediaPipe reports (the most confident detection).
  const first = faces[0];
  if (first && first.length !== LANDMARK_COUNT * 3) throw new Error(`tracker returned ${first.length / 3} landmarks, expected ${LANDMARK_COUNT}`);
  return { time, source, width, height, faces: faces.length, landmarks: first ? Float32Array.from(first) : null, ...(crop ? { crop: new Uint8Array(Buffer.from(crop, "base64")) } : {}) };
}

/**
 * An open tracker over one input set: `count` frames, each tracked independently by `frame(i)`
 * in any order (so a resumed run can start at any frame); `close` ends the browser.
 */
export interface TrackerSession {
  readonly count: number;
  frame(index: number): Promise<TrackedFrame>;
  close(): Promise<void>;
}

/** Images, one frame each; `fps` sets the time between them in the resulting clip. */
export async function openImageTracker(paths: readonly string[], fps = 1, { crops = false } = {}): Promise<TrackerSession> {
  if (paths.length === 0) throw new UserError("no images to track");
  const { evaluate, close } = await openTracker(paths);
  return {
    count: paths.length,
    async frame(i) {
      let r: { width: number; height: number; faces: number[][]; crop: string | null };
      try {
        r = await evaluate(`window.trackImage("/input/${i}${extname(paths[i]!)}", ${crops})`);
      } catch (error) {
        throw new UserError(`could not decode image ${paths[i]}: ${firstLine(error)}`);
      }
      return toFrame(i / fps, paths[i]!, r.width, r.height, r.faces, r.crop);
    },
    close,
  };
}

/** A video sampled every 1/fps seconds (at most maxFrames frames). */
export async function openVideoTracker(path: string, { fps = 15, maxFrames = 900, crops = false } = {}): Promise<TrackerSession> {
  const { evaluate, close } = await openTracker([path]);
  let info: { width: number; height: number; duration: number; count: number };
  try {
    info = await evaluate(`window.openVideo("/input/0${extname(path)}", ${fps}, ${maxFrames})`);
  } catch (error) {
    await close();
    throw new UserError(
      `could not read video ${path}: ${firstLine(error)}. Chromium decodes WebM (VP8/VP9/AV1) and MP4 (H.264), not Ogg Theora, HEVC or QuickTime; convert other formats first, or pass --images with extracted frames`,
    );
  }
  return {
    count: info.count,
    async frame(i) {
      const f = await evaluate<PageFrame>(`window.trackVideoFrame(${i}, ${crops})`);
      return toFrame(f.time, `${path}@${f.time.toFixed(3)}s`, info.width, info.height, f.faces, f.crop);
    },
    close,
  };
}

/** Every frame of a session, in order, with a progress bar; closes it. */
async function trackAll(session: TrackerSession, label?: string): Promise<TrackedFrame[]> {
  const bar = label ? progress(label, session.count) : undefined;
  const frames: TrackedFrame[] = [];
  try {
    for (let i = 0; i < session.count; i++) {
      frames.push(await session.frame(i));
      bar?.tick(1, { faces: frames[i]!.faces });
    }
  } finally {
    bar?.stop();
    await session.close();
  }
  return frames;
}

/** Tracks each image independently; `fps` sets the time between them in the resulting clip. */
export async function trackImages(paths: readonly string[], fps = 1, { crops = false } = {}): Promise<TrackedFrame[]> {
  return trackAll(await openImageTracker(paths, fps, { crops }));
}

/** Samples the video every 1/fps seconds (at most maxFrames) and tracks it as one sequence. */
export async function trackVideo(path: string, { fps = 15, maxFrames = 900, crops = false } = {}): Promise<TrackedFrame[]> {
  return trackAll(await openVideoTracker(path, { fps, maxFrames, crops }), `tracking ${basename(path)}`);
}

function firstLine(error: unknown): string {
  const msg = error instanceof Error ? error.message : String(error);
  // playwright prefixes "page.evaluate: Error: …" and appends a call log.
  return msg.split("\n")[0]!.replace(/^page\.evaluate: (Error: )?/, "");
}
