// The fixture the browser-driven site tests share: the offline build (built once per test
// process, see build-once.ts), served from loopback, and one headless Chromium.
import assert from "node:assert/strict";
import { after, before } from "node:test";
import { chromiumPath, launchChromium, type HeadlessChromium } from "../../data-loaders/browser/chromium.js";
import { serveStatic, type StaticServer } from "../../data-loaders/io/static-server.js";
import { buildSiteOnce, lastPage, type BuildResult } from "./build-once.js";

export interface ServedSite {
  site: BuildResult;
  server: StaticServer;
  chromium: HeadlessChromium;
}

/** Registers the before/after hooks; the returned object is filled before the first test runs. */
export function servedSite(): ServedSite {
  const ctx = {} as ServedSite;
  before(async () => {
    chromiumPath(); // no browser: fail now with the install hint, not after the minutes-long build
    ctx.site = await buildSiteOnce();
    assert.equal(ctx.site.exitCode, 0, `the site did not build (stopped at ${lastPage(ctx.site.log)}):\n${ctx.site.log.slice(-4000)}`);
    ctx.server = await serveStatic(ctx.site.dist);
    ctx.chromium = await launchChromium();
  }, { timeout: 17 * 60_000 });
  after(async () => {
    await ctx.chromium?.close();
    await ctx.server?.close();
  });
  return ctx;
}
