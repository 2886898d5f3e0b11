// The sweep tables of results/dreamface.duckdb: one row per finished cell, and the Fig. 18
// style summary (mean ± 95% CI over seeds). Built from the cells' cell.json files, so shards
// that ran on different machines merge by copying their folders together.
import type { DuckDBConnection } from "@duckdb/node-api";
import { summarizeCells } from "../../src/engine/evaluation/sweep-summary.js";
import { readCellRecords } from "./files.js";

const num = (x: number) => (Number.isFinite(x) ? x : null);

export async function createSweepTables(db: DuckDBConnection, dirs: readonly string[]): Promise<number> {
  await db.run(`CREATE TABLE sweep_cells (sweep VARCHAR, cell VARCHAR, idx INTEGER, name VARCHAR, prompt VARCHAR, variant VARCHAR, seed BIGINT,
    params JSON, clip_score DOUBLE, text VARCHAR, seconds DOUBLE, profile VARCHAR, label VARCHAR, dir VARCHAR)`);
  await db.run(`CREATE TABLE sweep_summary (sweep VARCHAR, variant VARCHAR, params JSON, prompts INTEGER, seeds INTEGER,
    clip_mean DOUBLE, clip_ci95 DOUBLE, seconds_mean DOUBLE, cells INTEGER)`);
  let count = 0;
  for (const dir of dirs) {
    const records = readCellRecords(dir);
    for (const r of records) {
      await db.run("INSERT INTO sweep_cells VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)", [
        r.sweep, r.cell, r.index, r.name, r.prompt, r.variant, r.seed, JSON.stringify(r.params), r.clip_score, r.text, r.seconds, r.profile, r.label, dir,
      ]);
      count++;
    }
    for (const row of summarizeCells(records)) {
      await db.run("INSERT INTO sweep_summary VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", [
        records[0]!.sweep, row.variant, JSON.stringify(row.params), row.prompts, row.clip.n, num(row.clip.mean), num(row.clip.ci95), num(row.seconds.mean), row.cells,
      ]);
    }
  }
  return count;
}
