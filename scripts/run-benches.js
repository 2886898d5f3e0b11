#!/usr/bin/env node
// Runs every bench/*.bench.ts (or those whose path contains an argument) one after another.
// Each benchmark writes JSON under results/bench/ and prints ratios against a peer.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const filter = process.argv.slice(2);
const files = readdirSync("bench").filter((f) => f.endsWith(".bench.ts")).sort()
  .map((f) => join("bench", f))
  .filter((f) => !filter.length || filter.some((s) => f.includes(s)));
let failed = 0;
for (const file of files) {
  console.log(`\n=== ${file}`);
  const r = spawnSync(process.execPath, ["--import", "tsx", file], { stdio: "inherit" });
  if (r.status !== 0) { failed++; console.error(`${file} failed (exit ${r.status})`); }
}
process.exit(failed ? 1 : 0);
