// Framework reuses a data loader's cached output until the loader file itself changes; edits
// to the modules it imports (data-loaders/, src/engine/) go unnoticed and `observable build`
// ships stale data (ARCHITECTURE.md point 4). observablehq.config.ts calls this before every
// build and preview start: a cached output older than any file in its loader's local import
// graph is deleted, so Framework runs the loader again. Outputs of loaders that read data
// (results/, models) still need `npm run clean` when that data changes.
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const LOADER = /^(.+\.[^.]+)\.(ts|js|mjs|mts)$/; // name.<ext>.<ts|js>, as Framework runs with node/tsx
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)["'](\.{1,2}\/[^"']+)["']/g;

/** Local modules reachable from `file` by relative imports (a `.js` specifier may name a `.ts` file). */
export function importClosure(file) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path) || !existsSync(path)) return;
    seen.add(path);
    for (const [, spec] of readFileSync(path, "utf8").matchAll(IMPORT)) {
      const target = resolve(dirname(path), spec);
      const candidates = [target, target.replace(/\.js$/, ".ts"), target.replace(/\.mjs$/, ".mts"), `${target}.ts`, `${target}.js`];
      const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
      if (found) visit(found);
    }
  };
  visit(resolve(file));
  return [...seen];
}

function loaders(root) {
  const out = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (LOADER.test(entry.name) && !entry.name.includes("[")) out.push(path);
    }
  };
  walk(root);
  return out;
}

/** Deletes cached loader outputs under `<root>/.observablehq/cache` that are older than their code. */
export function invalidateStaleLoaderOutputs(root) {
  const cache = join(root, ".observablehq", "cache");
  const removed = [];
  if (!existsSync(cache)) return removed;
  for (const loader of loaders(root)) {
    const output = join(cache, relative(root, loader).replace(LOADER, "$1"));
    if (!existsSync(output)) continue;
    const built = statSync(output).mtimeMs;
    const changed = importClosure(loader).find((f) => statSync(f).mtimeMs > built);
    if (changed) {
      rmSync(output, { force: true });
      removed.push({ output: relative(root, output).split(sep).join("/"), because: relative(root, changed).split(sep).join("/") });
    }
  }
  return removed;
}
