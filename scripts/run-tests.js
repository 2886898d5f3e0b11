#!/usr/bin/env node
// Runs the type check, then every *.test.ts under src/, data-loaders/, models/ and test/
// with Node's own test runner (Node 20 has no glob support in --test, so we list files).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const roots = ["src", "data-loaders", "models", "experiments", "test"];
const filter = process.argv.slice(2);
const files = [];
function walk(dir) {
  let entries;
  try { entries = readdirSync(dir); } catch { return; }
  for (const name of entries) {
    if (name === "node_modules" || name === ".observablehq" || name.startsWith(".")) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith(".test.ts")) files.push(path);
  }
}
roots.forEach(walk);
files.sort();
const selected = filter.length ? files.filter((f) => filter.some((s) => f.includes(s))) : files;
if (selected.length === 0) {
  console.error(`no test files matched ${filter.join(" ") || "(all)"}`);
  process.exit(1);
}
// Without Chromium every browser-dependent file would fail anyway, some only after minutes
// of work (the site build precedes the browser): stop at once with the install hint instead.
// A file depends on the browser when it launches it (directly, via the served-site fixture,
// the three.js peer or the tracker) or runs `dreamface animate`.
const BROWSER = /browser\/chromium\.js|raster\/three-peer\.js|animation\/track\.js|\/served-site\.js|\["animate"/;
const needBrowser = selected.filter((f) => BROWSER.test(readFileSync(f, "utf8")));
if (needBrowser.length) {
  const { register } = await import("tsx/esm/api");
  register();
  const { chromiumPath } = await import("../data-loaders/browser/chromium.ts");
  try {
    chromiumPath();
  } catch (error) {
    console.error(`dreamface tests: ${error.message}`);
    console.error(`(${needBrowser.length} selected test files need it, e.g. ${needBrowser[0]}; nothing was run)`);
    process.exit(2);
  }
}
if (!filter.length) {
  const tsc = spawnSync(process.execPath, ["node_modules/typescript/bin/tsc", "--noEmit"], { stdio: "inherit" });
  if (tsc.status !== 0) {
    console.error("type check failed");
    process.exit(tsc.status ?? 1);
  }
}
const run = spawnSync(
  process.execPath,
  // A test still running after 15 minutes has hung (the slowest, the cold-cache site build, takes
  // ~3 on an idle 2-core machine and up to 10 when the machine is shared):
  // it fails instead of holding CI until its time limit.
  ["--import", "tsx", "--test", "--test-reporter=spec", "--test-timeout=900000", ...selected],
  { stdio: "inherit", env: { ...process.env, DREAMFACE_TEST: "1" } },
);
process.exit(run.status ?? 1);
