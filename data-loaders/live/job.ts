// One `dreamface serve` run: the geometry stage exactly as `dreamface geometry --experiment`
// runs it (runLoop: checkpoints, trajectory, manifest in results/runs/<id>/geometry), with the
// carver wrapped so that rows and snapshots stream to the page, Pause holds the loop between
// steps, and controls splice into the config the next step reads. Changes are appended to
// live-changes.jsonl and re-applied on resume, so a steered run resumes as it was steered.
// A "texture" run then textures that geometry as `dreamface texture <geometry> --experiment`
// does (results/runs/<id>/texture), its optimizer wrapped the same way; carving is steered
// only in "carving" runs.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runGeometryStage } from "../geometry/run.js";
import { runTextureStage } from "../texture/run.js";
import type { Backend } from "../../src/engine/models/backend.js";
import type { Carver } from "../../src/engine/stages/geometry/carve.js";
import type { TextureOptimizer } from "../../src/engine/stages/texture/optimizer.js";
import type { TextureModels } from "../../src/engine/stages/texture/seams.js";
import type { Resumable } from "../../src/engine/run/resumable.js";
import { LiveControls, STAGE_CONTROLS, type ControlChange, type LiveStage } from "../../src/engine/live/controls.js";
import { textureSnapshot } from "../../src/engine/live/texture-session.js";
import type { LiveEvent } from "../../src/components/liveProtocol.js";


const CHANGES = "live-changes.jsonl";

export class LiveJob {
  state: "loading" | "running" | "paused" | "done" | "failed" = "loading";
  /** Whether this process has run it (a run found on disk has not, until resumed). */
  started = false;
  /** Everything but snapshots, for a page that connects late; plus the newest snapshot. */
  private readonly history: LiveEvent[] = [];
  private lastSnapshot: LiveEvent | undefined;
  private readonly listeners = new Set<(e: LiveEvent) => void>();
  private controls: LiveControls | undefined;
  private stepper: Resumable | undefined;
  private controlsDir = "";
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  constructor(
    readonly id: string,
    /** results/runs/<id>: experiment.json here, the stage in geometry/. */
    readonly runDir: string,
    private readonly snapshotEvery: number,
    private readonly backend?: Backend,
    /** Which stage the page steers: carving, or latent-space texture SDS on the carved result. */
    readonly stage: LiveStage = "carving",
  ) {}

  get stageDir(): string {
    return join(this.runDir, "geometry");
  }

  get textureDir(): string {
    return join(this.runDir, "texture");
  }

  subscribe(listener: (e: LiveEvent) => void): () => void {
    for (const e of this.history) listener(e);
    if (this.lastSnapshot) listener(this.lastSnapshot);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: LiveEvent): void {
    if (event.type === "snapshot") this.lastSnapshot = event;
    else this.history.push(event);
    for (const l of this.listeners) l(event);
  }

  private status(state: LiveJob["state"]): void {
    this.state = state;
    if (state !== "failed") this.emit({ type: "status", state, runId: this.id, engine: this.backend?.name });
  }

  /** Runs (or resumes) the stage; resolves when it completes, fails, or is left paused forever. */
  async run(): Promise<void> {
    this.started = true;
    this.status("loading");
    try {
      const experiment = join(this.runDir, "experiment.json");
      const { prompt } = JSON.parse(readFileSync(experiment, "utf8")) as { prompt?: string };
      const carving = this.stage === "carving";
      await runGeometryStage({ prompt: prompt ?? "", experiment, out: this.stageDir, backend: this.backend, quiet: true, live: carving ? (carver) => this.wrapCarver(carver) : undefined });
      if (!carving) await runTextureStage({ runDir: this.stageDir, experiment, out: this.textureDir, backend: this.backend, quiet: true, live: (o, m) => this.wrapTexture(o, m) });
      this.status("done");
    } catch (error) {
      this.state = "failed";
      this.emit({ type: "error", message: (error as Error).message });
    }
  }

  pause(): void {
    if (this.state !== "running") return;
    let open!: () => void;
    const promise = new Promise<void>((r) => (open = r));
    this.gate = { promise, open };
    this.status("paused");
  }

  resume(): void {
    if (this.state !== "paused") return;
    const gate = this.gate;
    this.gate = undefined;
    this.status("running");
    gate?.open();
  }

  /** Sets a control from the next step on; throws a one-line error for an unknown key or a bad value. */
  set(key: string, value: unknown): ControlChange {
    if (!this.controls || !this.stepper) throw new Error(`the run has not started ${this.stage} yet`);
    const change = this.controls.set(key, value, this.stepper.step);
    appendFileSync(join(this.controlsDir, CHANGES), JSON.stringify(change) + "\n");
    this.emit({ type: "change", ...change });
    return change;
  }

  private wrapCarver(carver: Carver): Resumable {
    const snapshot = async () => {
      const s = carver.snapshot(128);
      this.emit({ type: "snapshot", step: carver.step, render: s.render, size: s.size, normal: s.normalMapRgb, normalWidth: s.normalMapWidth, normalHeight: s.normalMapHeight, positions: carver.carved() });
    };
    const triangles = carver.setup.model.regions.dreamface.triangles.slice();
    return this.wrap(carver, carver.setup.config as unknown as Record<string, unknown>, this.stageDir, triangles, snapshot);
  }

  private wrapTexture(optimizer: TextureOptimizer, models: TextureModels): Resumable {
    const snapshot = async () => this.emit({ type: "texture", ...(await textureSnapshot(optimizer, models)) });
    return this.wrap(optimizer, optimizer.config as unknown as Record<string, unknown>, this.textureDir, new Uint32Array(0), snapshot);
  }

  private wrap(stepper: Resumable, config: Record<string, unknown>, dir: string, triangles: Uint32Array, snapshot: () => Promise<void>): Resumable {
    this.stepper = stepper;
    this.controlsDir = dir;
    this.controls = new LiveControls(config, STAGE_CONTROLS[this.stage]);
    const path = join(dir, CHANGES);
    // A resumed steered run: the same splices, in the same order, give the same config.
    if (existsSync(path))
      for (const line of readFileSync(path, "utf8").split("\n").filter(Boolean)) {
        const c = JSON.parse(line) as ControlChange;
        this.controls.set(c.key, c.value, c.step);
      }
    const job = this;
    let announced = false;
    return {
      get total() {
        return stepper.total;
      },
      get step() {
        return stepper.step;
      },
      async next() {
        if (!announced) {
          announced = true;
          job.emit({ type: "started", stage: job.stage, coarseIndex: -1, total: stepper.total, triangles, config: structuredClone(job.controls!.config) });
          await snapshot();
          if (job.state === "loading") job.status("running");
        }
        while (job.gate) await job.gate.promise;
        const changed = job.controls!.changedAt(stepper.step);
        const row = await stepper.next();
        job.emit({ type: "row", row, changed });
        if (stepper.step % job.snapshotEvery === 0 || stepper.step === stepper.total) await snapshot();
        return row;
      },
      state: () => stepper.state(),
      restore: (s) => stepper.restore(s),
    };
  }
}
