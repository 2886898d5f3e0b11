// `dreamface report --pdf OUT.pdf [--page reproduction]`: a page of the built site as a PDF.
import type { Command } from "commander";
import { UserError } from "../errors.js";

export function register(program: Command): void {
  program
    .command("report")
    .description("print a page of the built site (default: the Reproduction page) to PDF through headless Chromium, with the print stylesheet")
    .option("--pdf <file>", "PDF file to write")
    .option("--page <path>", "page to print, e.g. reproduction, compare, runs/<id>", "reproduction")
    .option("--site <dir>", "built site folder (default: dist/, built first when the page is missing)")
    .option("--build", "rebuild the site first (`observable build`)")
    .action(async (flags: { pdf?: string; page: string; site?: string; build?: boolean }) => {
      if (!flags.pdf) throw new UserError("--pdf OUT.pdf is required (the only output format)");
      const { reportPdf } = await import("../../report/pdf.js");
      const r = await reportPdf({ out: flags.pdf, page: flags.page, site: flags.site, build: flags.build });
      console.log(`report: ${r.out} (${r.pages} page(s), ${(r.bytes / 1024).toFixed(0)} KiB)`);
    });
}
