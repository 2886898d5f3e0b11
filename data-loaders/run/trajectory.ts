// Per-step records of a run (every loss term, λ, t, learning rate, gradient norm, time).
// During the run rows are appended to JSONL (cheap, survives a kill); on resume the log is cut
// back to the checkpoint's step so no row is duplicated; at the end it becomes Parquet.
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { writeFileAtomic } from "../io/atomic.js";
import { writeAll } from "../io/fault.js";

export type TrajectoryRow = Record<string, number | string | null>;

export class TrajectoryLog {
  readonly path: string;
  private fd: number | undefined;
  private pending = 0;

  /** `name` e.g. "trajectory" → `<dir>/trajectory.jsonl`. Rows must carry a numeric `step`. */
  constructor(dir: string, name = "trajectory", readonly syncEvery = 10) {
    this.path = join(dir, `${name}.jsonl`);
  }

  append(row: TrajectoryRow): void {
    if (this.fd === undefined) {
      mkdirSync(dirname(this.path), { recursive: true });
      this.fd = openSync(this.path, "a");
    }
    writeAll(this.fd, Buffer.from(JSON.stringify(row) + "\n", "utf8"));
    if (++this.pending >= this.syncEvery) this.flush();
  }

  flush(): void {
    if (this.fd !== undefined && this.pending > 0) fsyncSync(this.fd);
    this.pending = 0;
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  rows(): TrajectoryRow[] {
    if (!existsSync(this.path)) return [];
    const out: TrajectoryRow[] = [];
    for (const line of readFileSync(this.path, "utf8").split("\n")) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as TrajectoryRow);
      } catch {
        break; // a torn last line from a kill: everything after it is lost anyway
      }
    }
    return out;
  }

  /** Keeps rows with step < `step` (the steps a checkpoint at `step` has completed). */
  truncateTo(step: number): void {
    this.close();
    const kept = this.rows().filter((r) => typeof r.step === "number" && r.step < step);
    writeFileAtomic(this.path, kept.map((r) => JSON.stringify(r) + "\n").join(""));
  }

  /** Writes the rows as a Parquet file (numeric columns DOUBLE, others STRING; missing → null). */
  toParquet(path: string): void {
    this.close();
    writeFileAtomic(path, rowsToParquet(this.rows()));
  }
}

export function rowsToParquet(rows: readonly TrajectoryRow[]): Uint8Array {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const row of rows)
    for (const key of Object.keys(row))
      if (!seen.has(key)) {
        seen.add(key);
        names.push(key);
      }
  const columnData = names.map((name) => {
    const values = rows.map((r) => r[name] ?? null);
    const numeric = values.every((v) => v === null || typeof v === "number");
    return numeric
      ? { name, data: values as (number | null)[], type: "DOUBLE" as const }
      : { name, data: values.map((v) => (v === null ? null : String(v))), type: "STRING" as const };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}
