// `dreamface report --pdf`: the Reproduction page of the offline build printed through headless
// Chromium is a real PDF (magic bytes, page objects, non-trivial size) that carries the paper's
// numbers; bad flags fail with one line, exit 2.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildSiteOnce, lastPage, type BuildResult } from "./build-once.js";
import { pdfPageCount, reportPdf } from "../../data-loaders/report/pdf.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";

let site: BuildResult;
before(async () => {
  site = await buildSiteOnce();
  assert.equal(site.exitCode, 0, `the site did not build (stopped at ${lastPage(site.log)}):\n${site.log.slice(-4000)}`);
}, { timeout: 17 * 60_000 });

test("report --pdf prints the Reproduction page of the built site to a valid PDF", { timeout: 5 * 60_000 }, async () => {
  const out = join(tempDir("dreamface-report-"), "reproduction.pdf");
  const r = await reportPdf({ out, page: "reproduction", site: site.dist });
  const bytes = readFileSync(out);
  assert.equal(bytes.subarray(0, 5).toString("latin1"), "%PDF-");
  assert.match(bytes.subarray(-1024).toString("latin1"), /%%EOF\s*$/);
  assert.equal(r.bytes, bytes.length);
  assert.ok(r.pages >= 1 && pdfPageCount(bytes) === r.pages, `pages ${r.pages}`);
  assert.ok(r.pages > 1 || bytes.length > 20_000, `a one-page PDF of ${bytes.length} bytes is too small for the page`);
  // The built page carries the paper's reference numbers (rendered by the page's cells).
  const html = readFileSync(join(site.dist, "reproduction.html"), "utf8");
  assert.match(html, /Fig\. 13/);
});

test("report: bad flags fail at once with one line (exit 2), nothing written", () => {
  const dir = tempDir("dreamface-report-bad-");
  const noPdf = runCli(["report"]);
  assert.equal(noPdf.status, 2);
  assert.match(noPdf.stderr.trim(), /^dreamface: --pdf OUT\.pdf is required/);
  const badPage = runCli(["report", "--pdf", join(dir, "x.pdf"), "--page", "nope", "--site", site.dist]);
  assert.equal(badPage.status, 2);
  assert.equal(badPage.stderr.trim().split("\n").length, 1, badPage.stderr);
  assert.match(badPage.stderr, /no page nope\.html/);
  assert.ok(!existsSync(join(dir, "x.pdf")));
});
