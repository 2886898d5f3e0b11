/**
 * The live page's two engines behind one interface: the in-browser Web Worker (default), or
 * `dreamface serve` on this machine, reached with the token from the page address
 * (#token=…, which never leaves the browser in a Referer). Events arrive as liveProtocol.ts says.
 */
import { decodeEvent, type LiveAssets, type LiveCommand, type LiveEvent } from "./liveProtocol.js";

export interface LiveEngine {
  readonly kind: "browser" | "serve";
  send(command: LiveCommand): void;
  dispose(): void;
}

/** The in-browser engine: `workerUrl` is import.meta.resolve("./components/liveWorker.js") from the page. */
export function browserEngine(workerUrl: string, init: { assets: LiveAssets; sizes: { renderSize: number; normalMapSize: number }; texture: { variant: string; vaeGradient: string } }, listener: (e: LiveEvent) => void): LiveEngine {
  const worker = new Worker(workerUrl, { type: "module" });
  worker.onmessage = (e) => listener(e.data as LiveEvent);
  worker.onerror = (e) => listener({ type: "error", message: e.message || "the live worker failed to start" });
  worker.postMessage({ type: "init", ...init });
  return { kind: "browser", send: (command) => worker.postMessage(command), dispose: () => worker.terminate() };
}

/** The token of a `dreamface serve` page address, if any. */
export function serveToken(hash: string): string | undefined {
  return /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(hash)?.[1];
}

/**
 * `dreamface serve`: same origin as the page it served. Commands are POSTs; events stream
 * from GET /api/runs/<id>/events (server-sent events read with fetch, so the token travels in
 * a header, never in a URL).
 */
export function serveEngine(token: string, listener: (e: LiveEvent) => void): LiveEngine {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  let runId: string | undefined;
  let stream: AbortController | undefined;
  const fail = (error: unknown) => listener({ type: "error", message: (error as Error).message ?? String(error) });
  const call = async (path: string, body: unknown) => {
    const res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
    const json = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(`dreamface serve: ${json.error ?? `HTTP ${res.status}`}`);
    return json;
  };
  const follow = async (id: string) => {
    stream?.abort();
    stream = new AbortController();
    const res = await fetch(`/api/runs/${id}/events`, { headers, signal: stream.signal });
    if (!res.ok || !res.body) throw new Error(`dreamface serve: events HTTP ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
        if (data) listener(decodeEvent(data));
      }
    }
  };
  return {
    kind: "serve",
    send(command) {
      const run = async () => {
        if (command.type === "start") {
          const { id } = await call("/api/runs", { experiment: command.experiment, snapshotEvery: command.snapshotEvery, stage: command.stage ?? "carving" });
          runId = id;
          follow(id).catch((e) => (e as Error).name !== "AbortError" && fail(e));
        } else if (runId) await call(`/api/runs/${runId}/${command.type === "set" ? "control" : command.type}`, command);
      };
      run().catch(fail);
    },
    dispose: () => stream?.abort(),
  };
}
