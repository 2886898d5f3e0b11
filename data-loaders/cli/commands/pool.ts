// `dreamface pool build|merge|rank`: the coarse-geometry candidate pool (paper Sec. 4.1).
import type { Command } from "commander";
import { numberOption, requiredInt as int } from "../options.js";

export function register(program: Command): void {
  const pool = program.command("pool").description("build, merge and rank the candidate pool of coarse faces (CLIP-embedded ICT identities)");

  pool
    .command("build")
    .description("render + CLIP-embed candidates β ~ N(0, I) into Parquet chunks; resumable; shardable for array jobs")
    .requiredOption("--size <n>", "number of candidates in the whole pool")
    .option("--seed <n>", "pool seed: candidate i's β depends only on (seed, i)", "0")
    .option("--shard <i/n>", "build only chunks c with c mod n = i (0-based), e.g. $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT")
    .option("--chunk-size <n>", "candidates per Parquet chunk (the unit of resume)", "256")
    .option("--profile <name>", "model profile for the CLIP encoders (tiny | sd15)", "tiny")
    .option("--out <dir>", "pool folder (default: results/pools/pool-<size>-seed<seed>)")
    .action(async (flags: { size: string; seed: string; shard?: string; chunkSize: string; profile: string; out?: string }) => {
      const { buildPool } = await import("../../geometry/pool-build.js");
      const { parseShard } = await import("../../geometry/pool-files.js");
      const { defaultPoolDir } = await import("../../geometry/pool-default.js");
      const size = int("size", flags.size, 1), seed = int("seed", flags.seed);
      const out = flags.out ?? defaultPoolDir(size, seed);
      const r = await buildPool({ out, size, seed, profile: flags.profile, chunkSize: int("chunk-size", flags.chunkSize), shard: parseShard(flags.shard) });
      const label = r.spec.label ? ` [${r.spec.label}]` : "";
      console.log(`pool ${out}: built ${r.built.length} chunk(s), ${r.skipped.length} already done, in ${(r.ms / 1000).toFixed(1)} s${label}`);
    });

  pool
    .command("merge")
    .description("combine a complete pool's chunks into merged/pool.duckdb, merged/pool.parquet and raw float32 files")
    .argument("<dir>", "pool folder")
    .action(async (dir: string) => {
      const { mergePool } = await import("../../geometry/pool-merge.js");
      const r = await mergePool(dir);
      console.log(`merged ${r.rows} candidates into ${r.dir} in ${(r.ms / 1000).toFixed(1)} s`);
    });

  pool
    .command("rank")
    .description("score every candidate against a prompt (Eq. 3: λ_d·s_d + λ_r·s_r) and print the top k")
    .argument("<prompt>", "text prompt")
    .requiredOption("--pool <dir>", "pool folder")
    .option("--k <n>", "how many to print", "10")
    .option("--lambda-d <x>", "λ_d, weight of the direct score ẽ_i·ẽ_t", "1")
    .option("--lambda-r <x>", "λ_r, weight of the relative score against the anchors", "1")
    .option("--json", "print JSON instead of a table")
    .action(async (prompt: string, flags: { pool: string; k: string; lambdaD: string; lambdaR: string; json?: boolean }) => {
      const { loadPool } = await import("../../geometry/pool-read.js");
      const { rankPrompt } = await import("../../geometry/pool-rank.js");
      const p = await loadPool(flags.pool, { wasm: true });
      const k = int("k", flags.k, 1);
      const r = await rankPrompt(p, prompt, { k, lambdaD: numberOption("lambda-d", flags.lambdaD) ?? 1, lambdaR: numberOption("lambda-r", flags.lambdaR) ?? 1 });
      if (flags.json) {
        console.log(JSON.stringify({ prompt, label: p.spec.label, pool: p.spec.size, ms: r.ms, top: r.top }, null, 2));
        return;
      }
      if (p.spec.label) console.log(`[${p.spec.label}]`);
      console.log(`ranked ${p.spec.size} candidates in ${r.ms.toFixed(1)} ms`);
      console.log("rank  index      score       s_d       s_r");
      for (const c of r.top) console.log(`${String(c.rank).padStart(4)}  ${String(c.index).padStart(5)}  ${c.score.toFixed(6).padStart(9)} ${c.sd.toFixed(6).padStart(9)} ${c.sr.toFixed(6).padStart(9)}`);
    });
}
