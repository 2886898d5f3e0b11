// indexRuns(resultsDir) → <results>/dreamface.duckdb with three tables:
//   runs(key, id, stage, prompt, profile, label, seeds, timings, total_ms, complete, steps,
//        created, dir, manifest)           one row per run × stage (from manifest.json)
//   trajectories(run_key, run_id, run_stage, step, …) every run's trajectory, columns unioned
//        by name (run_ prefix: trajectories may have their own `stage` column, e.g. texture phases)
//   metrics(key, id, stage, metric, value, std, n, source, profile, label, detail)
//   sweep_cells(sweep, cell, idx, name, prompt, variant, seed, params, clip_score, text, seconds, profile, label, dir)
//   sweep_summary(sweep, variant, params, prompts, seeds, clip_mean, clip_ci95, seconds_mean, cells)
//        every sweep folder under <results>/sweeps (data-loaders/sweep), or the folders given
// The file is rebuilt from scratch into a temporary sibling and renamed over the old one, so
// readers see the previous index or the new one, never half of one.
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { findRuns, manifestSummary, type FoundRun } from "./discover.js";
import { collectMetrics } from "./metrics-files.js";
import { writeDuckDbAtomic } from "../io/duckdb.js";
import { createSweepTables } from "../sweep/tables.js";
import { findSweepDirs } from "../sweep/files.js";

export const INDEX_FILE = "dreamface.duckdb";

export interface IndexSummary {
  path: string;
  runs: number;
  trajectoryRows: number;
  metrics: number;
}

const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;

/** The trajectory file the index reads for a run: Parquet once written, else the live JSONL. */
export function trajectoryFile(dir: string): { path: string; format: "parquet" | "jsonl" } | undefined {
  const parquet = join(dir, "trajectory.parquet");
  if (existsSync(parquet)) return { path: parquet, format: "parquet" };
  const jsonl = join(dir, "trajectory.jsonl");
  if (existsSync(jsonl) && statSync(jsonl).size > 0) return { path: jsonl, format: "jsonl" };
  return undefined;
}

async function createRunsTable(db: DuckDBConnection, runs: readonly FoundRun[]): Promise<void> {
  await db.run(`CREATE TABLE runs (key VARCHAR PRIMARY KEY, id VARCHAR, stage VARCHAR, prompt VARCHAR, profile VARCHAR,
    label VARCHAR, seeds JSON, timings JSON, total_ms DOUBLE, complete BOOLEAN, steps INTEGER, created TIMESTAMP, dir VARCHAR, manifest JSON)`);
  for (const r of runs) {
    const m = r.manifest;
    const s = manifestSummary(m);
    await db.run("INSERT INTO runs VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, CAST($12 AS TIMESTAMP), $13, $14)", [
      r.key,
      r.id,
      r.stage,
      s.prompt,
      s.profile,
      s.label,
      JSON.stringify(m.seeds ?? {}),
      JSON.stringify(m.timings ?? {}),
      s.totalMs,
      s.complete,
      s.steps,
      s.written ? s.written.replace("T", " ").replace("Z", "") : null,
      r.dir,
      JSON.stringify(m),
    ]);
  }
}

async function createTrajectoriesTable(db: DuckDBConnection, runs: readonly FoundRun[]): Promise<void> {
  const parts: string[] = [];
  for (const r of runs) {
    const file = trajectoryFile(r.dir);
    if (!file) continue;
    const source =
      file.format === "parquet"
        ? `read_parquet(${sqlString(file.path)})`
        : // A kill can tear the last line; ignore_errors drops it as TrajectoryLog.rows() does.
          `read_json(${sqlString(file.path)}, format = 'newline_delimited', ignore_errors = true)`;
    parts.push(`SELECT ${sqlString(r.key)} AS run_key, ${sqlString(r.id)} AS run_id, ${sqlString(r.stage)} AS run_stage, * FROM ${source}`);
  }
  if (parts.length === 0) {
    await db.run("CREATE TABLE trajectories (run_key VARCHAR, run_id VARCHAR, run_stage VARCHAR, step DOUBLE)");
    return;
  }
  await db.run(`CREATE TABLE trajectories AS ${parts.map((p) => `(${p})`).join(" UNION ALL BY NAME ")}`);
}

async function createMetricsTable(db: DuckDBConnection, resultsDir: string, runs: readonly FoundRun[]): Promise<number> {
  await db.run(`CREATE TABLE metrics (key VARCHAR, id VARCHAR, stage VARCHAR, metric VARCHAR, value DOUBLE, std DOUBLE,
    n INTEGER, source VARCHAR, profile VARCHAR, label VARCHAR, detail JSON)`);
  const records = collectMetrics(resultsDir, runs);
  for (const m of records)
    await db.run("INSERT INTO metrics VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)", [m.key, m.id, m.stage, m.metric, m.value, m.std, m.n, m.source, m.profile, m.label, m.detail]);
  return records.length;
}

/** Rebuilds the index of every run under `resultsDir` (default location: <results>/dreamface.duckdb). */
export async function indexRuns(resultsDir: string, { out = join(resultsDir, INDEX_FILE), sweeps = findSweepDirs(resultsDir) }: { out?: string; sweeps?: readonly string[] } = {}): Promise<IndexSummary> {
  const runs = findRuns(resultsDir);
  return writeDuckDbAtomic(out, async (db): Promise<IndexSummary> => {
    await createRunsTable(db, runs);
    await createTrajectoriesTable(db, runs);
    const metrics = await createMetricsTable(db, resultsDir, runs);
    await createSweepTables(db, sweeps);
    const count = await db.runAndReadAll("SELECT count(*)::INTEGER AS n FROM trajectories");
    return { path: out, runs: runs.length, trajectoryRows: Number(count.getRowObjectsJson()[0]!.n), metrics };
  });
}

/** Runs a read-only query against an index file; rows as JSON-safe objects. */
export async function queryIndex(path: string, sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(path, { access_mode: "READ_ONLY" });
  const db = await instance.connect();
  try {
    return (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}
