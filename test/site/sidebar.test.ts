import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

// The sidebar is listed by hand (in pipeline order), so a new page must be added to it.
test("every page in src/ is in the sidebar of observablehq.config.ts, and every sidebar entry exists", () => {
  const config = readFileSync("observablehq.config.ts", "utf8");
  const listed = new Set([...config.matchAll(/path: "\/([^"]+)"/g)].map((m) => m[1]!));
  const pages = readdirSync("src").filter((f) => f.endsWith(".md") && f !== "index.md").map((f) => f.slice(0, -3));
  for (const page of pages) assert.ok(listed.has(page), `src/${page}.md is missing from the sidebar (pages in observablehq.config.ts)`);
  for (const path of listed) assert.ok(pages.includes(path), `sidebar entry /${path} has no src/${path}.md`);
});
