// One `dreamface serve` run: the geometry stage exactly as `dreamface geometry --experiment`
// runs it (runLoop: checkpoints, trajectory, manifest in results/runs/<id>/geometry), with the
// carver wrapped so that rows and snapshots stream to the page, Pause holds the loop between
// steps, and controls splice into the config the next step reads. Changes are appended to
// live-changes.jsonl and re-applied on resume, so a steered run resumes as it was steered.
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runGeometryStage } from "../geometry/run.js";
import type { Backend } from "../../src/engine/models/backend.js";
import type { Carver } from "../../src/engine/stages/geometry/carve.js";
import type { Resumable } from "../../src/engine/run/resumable.js";
import { LiveControls, type ControlChange, type LiveKey } from "../../src/engine/live/controls.js";
import type { Schedule } from "../../src/engine/config/schedule.js";
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
  private carver: Carver | undefined;
  private gate: { promise: Promise<void>; open: () => void } | undefined;

  constructor(
    readonly id: string,
    /** results/runs/<id>: experiment.json here, the stage in geometry/. */
    readonly runDir: string,
    private readonly snapshotEvery: number,
    private readonly backend?: Backend,
  ) {}

  get stageDir(): string {
    return join(this.runDir, "geometry");
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
      await runGeometryStage({ prompt: prompt ?? "", experiment, out: this.stageDir, backend: this.backend, quiet: true, live: (carver) => this.wrap(carver) });
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
    if (!this.controls || !this.carver) throw new Error("the run has not started carving yet");
    const change = this.controls.set(key, value, this.carver.step);
    appendFileSync(join(this.stageDir, CHANGES), JSON.stringify(change) + "\n");
    this.emit({ type: "change", ...change });
    return change;
  }

  private snapshot(carver: Carver): void {
    const s = carver.snapshot(128);
    this.emit({ type: "snapshot", step: carver.step, render: s.render, size: s.size, normal: s.normalMapRgb, normalWidth: s.normalMapWidth, normalHeight: s.normalMapHeight, positions: carver.carved() });
  }

  private wrap(carver: Carver): Resumable {
    this.carver = carver;
    this.controls = new LiveControls(carver.setup.config as unknown as Record<LiveKey, Schedule>);
    const path = join(this.stageDir, CHANGES);
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
        return carver.total;
      },
      get step() {
        return carver.step;
      },
      async next() {
        if (!announced) {
          announced = true;
          job.emit({ type: "started", coarseIndex: -1, total: carver.total, triangles: carver.setup.model.regions.dreamface.triangles.slice(), config: { ...job.controls!.config } });
          job.snapshot(carver);
          if (job.state === "loading") job.status("running");
        }
        while (job.gate) await job.gate.promise;
        const changed = job.controls!.changedAt(carver.step);
        const row = await carver.next();
        job.emit({ type: "row", row, changed });
        if (carver.step % job.snapshotEvery === 0 || carver.step === carver.total) job.snapshot(carver);
        return row;
      },
      state: () => carver.state(),
      restore: (s) => carver.restore(s),
    };
  }
}
