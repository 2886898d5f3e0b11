// `dreamface runs [--json]` lists runs from the DuckDB index; `dreamface runs index` rebuilds it.
import type { Command } from "commander";

export function register(program: Command): void {
  const runs = program
    .command("runs")
    .description("list the runs under results/runs (from results/dreamface.duckdb, rebuilt when stale)")
    .option("--json", "print the rows as JSON")
    .option("--stage <stage>", "only this stage (geometry, texture, animation)")
    .option("--profile <name>", "only this model profile")
    .action(async (flags: { json?: boolean; stage?: string; profile?: string }) => {
      const { listCommand } = await import("../../evaluation/cli.js");
      await listCommand(flags);
    });

  runs
    .command("index")
    .description("rebuild results/dreamface.duckdb (tables runs, trajectories, metrics, sweep_cells, sweep_summary) from every run's and sweep's files")
    .action(async () => {
      const { indexCommand } = await import("../../evaluation/cli.js");
      await indexCommand();
    });
}
