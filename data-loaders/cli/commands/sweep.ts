// `dreamface sweep FILE [--shard i/n]` runs a grid of generate runs; `dreamface sweep merge`
// indexes every sweep (and run) into results/dreamface.duckdb (data-loaders/sweep/).
import type { Command } from "commander";

export function register(program: Command): void {
  const sweep = program
    .command("sweep")
    .description("run a sweep file's grid (prompts × grid values × variants × seeds) as independent generate runs; resumable; shardable for array jobs")
    .argument("<experiment>", "sweep file (experiments/*.json with \"kind\": \"sweep\")")
    .option("--shard <i/n>", "run only cells c with c mod n = i (0-based), e.g. $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT or $JOB_COMPLETION_INDEX/N")
    .option("--out <dir>", "sweep folder (default: results/sweeps/<name>)")
    .option("--pool <dir>", "candidate pool for every cell (default: the profile's cached pool)")
    .option("--profile <name>", "model profile for every cell (default: the file's, else tiny)")
    .action(async (file: string, flags: { shard?: string; out?: string; pool?: string; profile?: string }) => {
      const { parseShard } = await import("../../geometry/pool-files.js");
      const { runSweep } = await import("../../sweep/run.js");
      const r = await runSweep({ file, shard: parseShard(flags.shard), out: flags.out, pool: flags.pool, profile: flags.profile });
      const label = r.label ? ` [${r.label}]` : "";
      console.log(`sweep ${r.dir}: ${r.cells} cell(s) in this shard, ${r.skipped} done before, ${r.ran} stepped through now${r.complete ? "" : " (paused: rerun to resume)"}${label}`);
      console.log("merge the shards' results with `dreamface sweep merge`");
    });

  sweep
    .command("merge")
    .description("index every sweep folder (default: results/sweeps/*) and every run into results/dreamface.duckdb (tables sweep_cells, sweep_summary, runs, trajectories, metrics)")
    .argument("[dirs...]", "sweep folders (default: every folder under results/sweeps)")
    .option("--out <file>", "database file (default: results/dreamface.duckdb)")
    .action(async (dirs: string[], flags: { out?: string }) => {
      const { mergeSweeps } = await import("../../sweep/merge.js");
      const r = await mergeSweeps({ dirs: dirs.length ? dirs : undefined, out: flags.out });
      for (const s of r.sweeps) console.log(`${s.name}: ${s.done} of ${s.total} cells done${s.label ? ` [${s.label}]` : ""}`);
      console.log(`indexed ${r.sweeps.length} sweep(s), ${r.runs} run(s) into ${r.path}`);
    });
}
