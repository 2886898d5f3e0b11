// Framework 1.13 bundles its client with lazy `import("npm:…")`s of the libraries behind the
// implicit globals (react-dom for JSX, d3, Plot, arquero, leaflet…) and asks registry.npmjs.org
// for their versions at build time, even when no page uses them, so a clean-cache build fails
// offline. Its version cache is just directories named `<name>@<version>` under
// <root>/.observablehq/cache/_npm; seeding one with a sentinel version for each such library
// answers that question locally. Nothing is downloaded or served under that version: a page
// that really uses one of these libraries still triggers a CDN fetch, which the guard in
// observablehq.config.ts turns into an error.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const OFFLINE_VERSION = "0.0.0-offline";

/** Names of the npm: modules Framework's client imports (read from its installed sources). */
export function frameworkClientNpmImports() {
  const require = createRequire(import.meta.url);
  const client = join(dirname(require.resolve("@observablehq/framework/package.json")), "dist", "client");
  const names = new Set();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".js")) {
        for (const [, spec] of readFileSync(path, "utf8").matchAll(/["']npm:((?:@[^/"'@]+\/)?[^/"'@]+)/g)) names.add(spec);
      }
    }
  };
  walk(client);
  return [...names].sort();
}

/** Seeds `<root>/.observablehq/cache/_npm` for every name that has no version there yet. */
export function seedNpmVersionCache(root) {
  const cache = join(root, ".observablehq", "cache", "_npm");
  const seeded = [];
  for (const name of frameworkClientNpmImports()) {
    const scope = name.startsWith("@") ? join(cache, name.split("/")[0]) : cache;
    const base = name.startsWith("@") ? name.split("/")[1] : name;
    const known = existsSync(scope) && readdirSync(scope).some((d) => d.startsWith(`${base}@`));
    if (known) continue;
    mkdirSync(join(cache, `${name}@${OFFLINE_VERSION}`), { recursive: true });
    seeded.push(name);
  }
  return seeded;
}
