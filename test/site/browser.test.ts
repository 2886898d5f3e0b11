// Opens every page of the offline build in headless Chromium and checks that it runs cleanly
// (no console error, page error, failed request or error cell) and that every canvas drew
// something. Pages are enumerated from dist/, so new stage pages are checked automatically.
// The face page is also checked for a plausibly framed face that reacts to its sliders.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { listFiles } from "./build-once.js";
import { servedSite } from "./served-site.js";

const PAGE_TIMEOUT_MS = 90_000;

const ctx = servedSite();

interface CanvasStats {
  width: number;
  height: number;
  /** Fraction of pixels that differ from the top-left pixel (the background). */
  coverage: number;
  /** Number of distinct colours, capped. */
  colours: number;
  /** A hash of the pixels, to detect change. */
  hash: number;
}

/** Reads every canvas through a 2D copy (WebGL canvases need preserveDrawingBuffer). */
function canvasStats(page: Page, selector = "canvas"): Promise<CanvasStats[]> {
  return page.$$eval(selector, (canvases) =>
    (canvases as HTMLCanvasElement[]).map((canvas) => {
      const { width, height } = canvas;
      const copy = document.createElement("canvas");
      copy.width = width;
      copy.height = height;
      const context = copy.getContext("2d")!;
      context.drawImage(canvas, 0, 0);
      const data = context.getImageData(0, 0, width, height).data;
      const colours = new Set<number>();
      let covered = 0;
      let hash = 2166136261;
      for (let i = 0; i < data.length; i += 4) {
        const d = Math.abs(data[i]! - data[0]!) + Math.abs(data[i + 1]! - data[1]!) + Math.abs(data[i + 2]! - data[2]!);
        if (d > 12) covered++;
        const rgb = (data[i]! << 16) | (data[i + 1]! << 8) | data[i + 2]!;
        if (colours.size < 1000) colours.add(rgb);
        hash = Math.imul(hash ^ rgb, 16777619) >>> 0;
      }
      return { width, height, coverage: covered / (width * height), colours: colours.size, hash };
    }),
  );
}

/** Re-reads until `done` holds or `ms` pass (canvases may draw a few frames after the cells settle). */
async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until Framework has no pending cell, the network is idle, and two frames have drawn. */
async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelector("observablehq-loading") === null, null, { timeout: PAGE_TIMEOUT_MS });
  await page.waitForLoadState("networkidle", { timeout: PAGE_TIMEOUT_MS });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/** Opens a page, collecting every problem the browser reports while it loads. */
async function open(path: string): Promise<{ page: Page; problems: string[] }> {
  const page = await ctx.chromium.context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console.error: ${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  // The site must work offline: any request off the loopback server is a problem, even where
  // the test machine happens to be online.
  await page.route((url) => url.origin !== ctx.server.origin, async (route) => {
    problems.push(`off-site request: ${route.request().url()}`);
    await route.abort("blockedbyclient");
  });
  await page.goto(`${ctx.server.origin}/${path}`, { waitUntil: "load", timeout: PAGE_TIMEOUT_MS });
  await settle(page);
  const errorCells = await page.$$eval(".observablehq--error", (nodes) => nodes.map((n) => n.textContent ?? ""));
  problems.push(...errorCells.map((text) => `error cell: ${text}`));
  return { page, problems };
}

test("the build has pages to check, including face.html", () => {
  const pages = listFiles(ctx.site.dist).filter((f) => f.endsWith(".html"));
  assert.ok(pages.includes("index.html") && pages.includes("face.html"), `pages: ${pages.join(", ")}`);
});

test("every built page loads without errors and every canvas drew something", async (t) => {
  const pages = listFiles(ctx.site.dist).filter((f) => f.endsWith(".html") && !f.startsWith("_"));
  for (const file of pages) {
    await t.test(file, { timeout: 2 * PAGE_TIMEOUT_MS }, async () => {
      const { page, problems } = await open(file.replace(/(index)?\.html$/, ""));
      try {
        assert.deepEqual(problems, [], `${file} reported problems`);
        const stats = await poll(() => canvasStats(page), (all) => all.every((s) => s.colours > 1));
        stats.forEach((s, i) => {
          assert.ok(s.width > 0 && s.height > 0, `${file}: canvas ${i} has no size`);
          assert.ok(s.colours > 1, `${file}: canvas ${i} (${s.width}×${s.height}) is a single colour`);
        });
      } finally {
        await page.close();
      }
    });
  }
});

test("face page: the face fills a plausible part of the canvas and follows the sliders", { timeout: 3 * PAGE_TIMEOUT_MS }, async () => {
  const { page, problems } = await open("face");
  try {
    assert.deepEqual(problems, []);
    const [before] = await canvasStats(page, ".face-viewer canvas");
    assert.ok(before, "no .face-viewer canvas on the face page");
    // Framed from the front, the head takes a good share of the view but leaves background.
    assert.ok(before.coverage > 0.1 && before.coverage < 0.9, `face covers ${(before.coverage * 100).toFixed(1)}% of the canvas`);
    assert.ok(before.colours > 50, `only ${before.colours} colours: no shading?`);

    const moved = await page.evaluate(() => {
      const form = [...document.querySelectorAll<HTMLFormElement>(".mode-sliders form")].find((f) => f.querySelector("label")?.textContent === "jawOpen");
      const range = form?.querySelector<HTMLInputElement>("input[type=range]");
      if (!range) return false;
      range.value = "1";
      range.dispatchEvent(new Event("input", { bubbles: true }));
      return true;
    });
    assert.ok(moved, "no jawOpen slider");
    await settle(page);
    const [after] = await poll(() => canvasStats(page, ".face-viewer canvas"), ([s]) => s!.hash !== before.hash);
    assert.notEqual(after!.hash, before.hash, "opening the jaw did not change the pixels");
    assert.ok(after!.coverage > 0.1, "the face vanished after moving a slider");

    // The texture path: a UV checker on the seam-split mesh adds many hues.
    await page.getByLabel("UV checker").check();
    await settle(page);
    const [textured] = await poll(() => canvasStats(page, ".face-viewer canvas"), ([s]) => s!.hash !== after!.hash);
    assert.notEqual(textured!.hash, after!.hash, "the UV checker texture did not show");
    assert.ok(textured!.colours > after!.colours, `textured: ${textured!.colours} colours, untextured: ${after!.colours}`);
    assert.deepEqual(problems, [], "moving a slider reported problems");
  } finally {
    await page.close();
  }
});
