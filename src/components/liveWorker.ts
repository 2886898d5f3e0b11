/**
 * The in-browser live engine: a Web Worker running detail carving, or latent-space texture SDS
 * on the carving's current T† and N_d, on the tiny profile through onnxruntime-web (WebGPU
 * when present), so the page stays responsive. Messages (liveProtocol.ts) are handled between
 * steps: a control set now applies from the next step.
 */
import { ortWebBackend } from "./ortWebBackend.js";
import { ClipTokenizer } from "../engine/clip/tokenizer.js";
import { decodeFaceModel } from "../engine/face/binary.js";
import { parseExperiment } from "../engine/config/experiment.js";
import { createCarveSession, type CarveSession, type LivePool } from "../engine/live/carve-session.js";
import { carvedTextureScene, createTextureSession, textureSnapshot, type TextureSession } from "../engine/live/texture-session.js";
import { seamSplit } from "../engine/face/seam.js";
import type { LiveControls } from "../engine/live/controls.js";
import type { Resumable } from "../engine/run/resumable.js";
import type { ResolvedCarvingConfig } from "../engine/stages/geometry/carve.js";
import type { FaceModel } from "../engine/face/types.js";
import type { Backend } from "../engine/models/backend.js";
import type { LiveAssets, LiveCommand, LiveEvent } from "./liveProtocol.js";

interface Init {
  type: "init";
  assets: LiveAssets;
  /** Render and N_d sizes of the tiny profile (the live-setup loader resolves them as the CLI does). */
  sizes: { renderSize: number; normalMapSize: number };
  /** How `dreamface texture` runs on the tiny profile (the live-setup loader asks its capability table). */
  texture: { variant: "full" | "wo-texture" | "wo-lt"; vaeGradient: "exact" | "linear-approx" };
}

const scope = self as unknown as { postMessage(m: unknown, transfer?: Transferable[]): void; onmessage: ((e: MessageEvent) => void) | null };
const post = (event: LiveEvent, transfer: Transferable[] = []) => scope.postMessage(event, transfer);

let assets: Init | undefined;
let loaded: Promise<{ backend: Backend; tokenizer: ClipTokenizer; model: FaceModel; pool: LivePool }> | undefined;
let session: CarveSession | undefined;
/** The carving session's prompt and seed (a texture run reuses it only for the same ones). */
let carvedFor = "";
/** What the loop steps: the carver, or the texture optimizer. */
let active: { stepper: Resumable; controls: LiveControls; snapshot: () => Promise<void> } | undefined;
let running = false;
let snapshotEvery = 5;
/** Bumped on every start: a loop left from an earlier run stops at its next step. */
let generation = 0;

async function load(init: Init) {
  const bytes = async (url: string) => new Uint8Array(await (await fetch(url)).arrayBuffer());
  const backend = ortWebBackend({ profile: "tiny", numThreads: 1, wasmPaths: { wasm: init.assets.wasm }, files: init.assets.models });
  const [model, pool, merges] = await Promise.all([bytes(init.assets.faceModel).then(decodeFaceModel), fetch(init.assets.pool).then((r) => r.json()), fetch(init.assets.merges).then((r) => r.text())]);
  const floats = (b64: string) => new Float32Array(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer);
  return {
    backend,
    tokenizer: new ClipTokenizer(merges),
    model,
    pool: { dim: pool.dim, identityCount: pool.identityCount, embeddings: floats(pool.embeddings), betas: floats(pool.betas), anchors: { meshImage: floats(pool.anchors.meshImage), text: floats(pool.anchors.text) } },
  };
}

function snapshot(s: CarveSession) {
  const snap = s.carver.snapshot(128);
  const positions = s.carver.carved();
  post({ type: "snapshot", step: s.carver.step, render: snap.render, size: snap.size, normal: snap.normalMapRgb, normalWidth: snap.normalMapWidth, normalHeight: snap.normalMapHeight, positions }, [snap.render.buffer, snap.normalMapRgb.buffer, positions.buffer]);
}

async function textureFrame(t: TextureSession) {
  const snap = await textureSnapshot(t.optimizer, t.models);
  post({ type: "texture", ...snap }, [snap.latent.buffer, snap.diffuse.buffer]);
}

async function loop(gen: number) {
  const a = active!;
  const total = a.stepper.total;
  while (running && gen === generation && a.stepper.step < total) {
    const changed = a.controls.changedAt(a.stepper.step);
    const row = await a.stepper.next();
    if (gen !== generation) return;
    post({ type: "row", row, changed });
    if (a.stepper.step % snapshotEvery === 0 || a.stepper.step === total) await a.snapshot();
    // Let queued messages (controls, pause) in before the next step.
    await new Promise((r) => setTimeout(r, 0));
  }
  if (gen === generation && a.stepper.step >= total) {
    running = false;
    post({ type: "status", state: "done" });
  }
}

async function handle(message: Init | LiveCommand) {
  switch (message.type) {
    case "init":
      assets = message;
      loaded = load(message);
      return;
    case "start": {
      const gen = ++generation;
      running = false;
      active = undefined;
      post({ type: "status", state: "loading" });
      const { backend, tokenizer, model, pool } = await loaded!;
      const experiment = parseExperiment(message.experiment);
      const c = experiment.geometry.carving;
      const carving: ResolvedCarvingConfig = { ...c, renderSize: c.renderSize ?? assets!.sizes.renderSize, normalMapSize: c.normalMapSize ?? assets!.sizes.normalMapSize };
      const tokenize = (t: string) => tokenizer.tokenize(t);
      const key = JSON.stringify([experiment.prompt, experiment.seed]);
      snapshotEvery = message.snapshotEvery;
      if (message.stage === "texture") {
        // Texture the carving session's current T† and N_d; with none for this prompt and seed, carve `steps` steps first.
        if (!session || carvedFor !== key) {
          session = await createCarveSession({ experiment, carving, backend, tokenize, model, pool, encoderVjp: "graph" });
          carvedFor = key;
          while (session.carver.step < carving.steps && gen === generation) {
            await session.carver.next();
            post({ type: "status", state: "loading", engine: `carving T† ${session.carver.step}/${carving.steps}` });
          }
        }
        if (gen !== generation) return;
        const carver = session.carver;
        const scene = carvedTextureScene(seamSplit(model, "dreamface"), carver.carved(), { data: carver.nd, width: carver.ndWidth, height: carver.ndHeight });
        const t = await createTextureSession({ prompt: experiment.prompt ?? "", seed: experiment.seed, texture: { ...experiment.texture, variant: assets!.texture.variant }, vaeGradient: assets!.texture.vaeGradient, backend, tokenize, scene });
        if (gen !== generation) return;
        active = { stepper: t.optimizer, controls: t.controls, snapshot: () => textureFrame(t) };
        const carved = { steps: carver.step, config: structuredClone(session.controls.config) };
        post({ type: "started", stage: "texture", coarseIndex: session.coarseIndex, total: t.optimizer.total, triangles: model.regions.dreamface.triangles.slice(), config: structuredClone(t.controls.config), carving: carved });
        await textureFrame(t);
      } else {
        const s = await createCarveSession({ experiment, carving, backend, tokenize, model, pool, encoderVjp: "graph" });
        if (gen !== generation) return;
        session = s;
        carvedFor = key;
        active = { stepper: s.carver, controls: s.controls, snapshot: async () => snapshot(s) };
        post({ type: "started", stage: "carving", coarseIndex: s.coarseIndex, total: carving.steps, triangles: model.regions.dreamface.triangles.slice(), config: { ...s.controls.config } });
        snapshot(s);
      }
      running = true;
      post({ type: "status", state: "running", engine: backend.name });
      return loop(gen);
    }
    case "pause":
      running = false;
      post({ type: "status", state: "paused" });
      return;
    case "resume":
      if (!active || running) return;
      running = true;
      post({ type: "status", state: "running" });
      return loop(generation);
    case "set": {
      if (!active) return;
      const change = active.controls.set(message.key, message.value, active.stepper.step);
      post({ type: "change", ...change });
      return;
    }
  }
}

scope.onmessage = (e: MessageEvent) => {
  handle(e.data as Init | LiveCommand).catch((error: Error) => post({ type: "error", message: error.message ?? String(error) }));
};
