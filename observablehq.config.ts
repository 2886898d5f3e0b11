// Observable Framework configuration for the DreamFace Workbench.
// Every library is imported by bare specifier from node_modules inside the pages (never
// `npm:` or Framework's implicit Plot/d3/Inputs/html globals), so `npm run build` needs no network:
// - the guard turns any attempt to reach a CDN into a build error that says what to fix,
//   instead of a build that works online and breaks offline;
// - the version seed answers the registry lookups Framework's own client bundle makes.
// Cached loader outputs older than the code they import are dropped first (see
// scripts/stale-loaders.js), so a build never ships data made by old engine code.
import { existsSync } from "node:fs";
import { installNetworkGuard, isCdn } from "./scripts/network-guard.js";
import { seedNpmVersionCache } from "./scripts/offline-npm.js";
import { invalidateStaleLoaderOutputs } from "./scripts/stale-loaders.js";
// One report page per run under results/runs (src/runs/[id].md); none when there are no runs.
import { runPagePaths } from "./data-loaders/evaluation/dynamic-paths.js";
import { invalidateReportCache } from "./data-loaders/evaluation/stale-results.js";
import { resultsDir } from "./data-loaders/io/paths.js";
import { watchResultsInPreview } from "./scripts/watch-results.js";

const root = "src";

installNetworkGuard("cdn", {
  blocked: isCdn,
  message: (url) =>
    `DreamFace Workbench: a page tried to fetch ${url}. Import libraries by bare specifier ` +
    `from node_modules (import * as Plot from "@observablehq/plot", import {html} from "htl"), ` +
    `never "npm:" or Framework's implicit globals (Plot, d3, Inputs, html, svg, …); the site ` +
    `must build offline.`,
});
seedNpmVersionCache(root);
for (const { output, because } of invalidateStaleLoaderOutputs(root)) {
  console.warn(`stale loader output ${output} (${because} changed): it will be rebuilt`);
}
// The run reports read results/, which changes without any loader file changing: always rerun them.
invalidateReportCache(root);
// npm run dev: runs written while the preview is open appear without a restart (scripts/watch-results.js).
watchResultsInPreview(root, resultsDir());

// The sidebar follows the paper's pipeline rather than the alphabet. Entries whose page is
// absent are dropped, so a partial checkout (or a test project holding a few pages) builds.
const sidebar = [
  { name: "Foundations", pages: [
    { name: "Face model", path: "/face" },
    { name: "Renderer", path: "/renderer" },
    { name: "Models", path: "/models" },
  ] },
  { name: "Geometry (Sec. 4)", pages: [
    { name: "Candidate ranking", path: "/geometry-ranking" },
    { name: "Detail carving", path: "/geometry-carving" },
  ] },
  { name: "Texture (Sec. 5)", pages: [
    { name: "Dual-path SDS", path: "/texture" },
    { name: "Ablations", path: "/texture-ablations" },
  ] },
  { name: "Live", pages: [{ name: "Steer carving live", path: "/live" }] },
  { name: "Animation (Sec. 6)", pages: [{ name: "Blendshapes and tracking", path: "/animation" }] },
  { name: "Results", pages: [
    { name: "Evaluation", path: "/evaluation" },
    { name: "Runs", path: "/runs" },
    { name: "Compare runs", path: "/compare" },
    { name: "Reproduction", path: "/reproduction" },
  ] },
];
const pages = sidebar
  .map((section) => ({ ...section, pages: section.pages.filter((p) => existsSync(`${root}${p.path}.md`)) }))
  .filter((section) => section.pages.length > 0);

export default {
  title: "DreamFace Workbench",
  root,
  output: "dist",
  // The default theme links Source Serif from Google Fonts; the site must work offline, so
  // the pages use the theme's local font fallbacks instead.
  globalStylesheets: [],
  pages,
  style: "workbench.css",
  dynamicPaths: runPagePaths,
  // No favicon file: an empty one stops browsers from requesting /favicon.ico (a 404).
  head: '<link rel="icon" href="data:,">',
  footer: "DreamFace Workbench — a TypeScript reimplementation of DreamFace (Zhang et al., TOG 2023). Outputs of the tiny profile are test signals, not faces.",
};
