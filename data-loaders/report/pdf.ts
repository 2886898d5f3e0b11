// `dreamface report --pdf OUT.pdf [--page reproduction]`: prints a page of the built site
// through the headless Chromium the project already uses, with the site's print CSS. The
// site is served from a loopback server (pages load their data by URL); every off-site
// request is blocked, as in the browser tests, so the PDF shows what an offline reader sees.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { UserError } from "../cli/errors.js";
import { writeFileAtomic } from "../io/atomic.js";
import { projectRoot } from "../io/paths.js";
import { serveStatic } from "../io/static-server.js";
import { launchChromium } from "../browser/chromium.js";

export interface ReportOptions {
  out: string;
  /** Page path without extension, e.g. "reproduction" or "runs/<id>". */
  page?: string;
  /** Built site folder (default: dist/ of the project). */
  site?: string;
  /** Build the site first (`observable build`) even if it exists. */
  build?: boolean;
  timeoutMs?: number;
}

export interface ReportResult {
  out: string;
  bytes: number;
  pages: number;
}

function buildSite(): void {
  const bin = join(projectRoot, "node_modules", "@observablehq", "framework", "dist", "bin", "observable.js");
  const r = spawnSync(process.execPath, [bin, "build"], { cwd: projectRoot, stdio: "inherit" });
  if (r.status !== 0) throw new UserError(`the site did not build (observable build exited ${r.status}): fix the build, then rerun`);
}

/** Pages in a PDF: the count of /Type /Page objects (not /Pages). */
export function pdfPageCount(bytes: Uint8Array): number {
  return (Buffer.from(bytes).toString("latin1").match(/\/Type\s*\/Page(?![s\w])/g) ?? []).length;
}

export async function reportPdf(opts: ReportOptions): Promise<ReportResult> {
  const page = (opts.page ?? "reproduction").replace(/^\/+|\.html$/g, "");
  if (!/^[\w./-]+$/.test(page) || page.includes("..")) throw new UserError(`--page must be a page path such as reproduction or runs/<id>, got "${opts.page}"`);
  if (!opts.out.toLowerCase().endsWith(".pdf")) throw new UserError(`--pdf must name a .pdf file, got "${opts.out}"`);
  const site = resolve(opts.site ?? join(projectRoot, "dist"));
  if (opts.build || (!opts.site && !existsSync(join(site, `${page}.html`)))) {
    console.error(`building the site into ${site} …`);
    buildSite();
  }
  if (!existsSync(join(site, `${page}.html`))) throw new UserError(`no page ${page}.html in the built site ${site}: check --page, or build with \`npm run build\``);
  const server = await serveStatic(site);
  const chromium = await launchChromium();
  try {
    const tab = await chromium.context.newPage();
    await tab.route((url) => url.origin !== server.origin, (route) => route.abort("blockedbyclient"));
    const timeout = opts.timeoutMs ?? 120_000;
    await tab.goto(`${server.origin}/${page}`, { waitUntil: "load", timeout });
    // Framework renders cells after load: wait until none is pending and the network is idle.
    await tab.waitForFunction(() => document.querySelector("observablehq-loading") === null, null, { timeout });
    await tab.waitForLoadState("networkidle", { timeout });
    await tab.emulateMedia({ media: "print" });
    const pdf = await tab.pdf({ format: "A4", printBackground: true, margin: { top: "14mm", bottom: "14mm", left: "12mm", right: "12mm" } });
    writeFileAtomic(resolve(opts.out), pdf);
    return { out: resolve(opts.out), bytes: pdf.length, pages: pdfPageCount(pdf) };
  } finally {
    await chromium.close();
    await server.close();
  }
}
