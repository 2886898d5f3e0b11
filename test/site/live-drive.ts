// Drives the built live page (src/live.md) as a researcher would: Run, wait for step 10, move
// the λ_geo slider, and read back what the trajectory recorded. Shared by test/site/live.test.ts.
import type { Page, Route } from "playwright-core";

export interface LiveDrive {
  changeStep: number;
  /** λ_geo of every trajectory row shown, by step. */
  lambdaGeo: Map<number, number>;
  changesListed: string[];
  exported: unknown;
  problems: string[];
  /** With `texture`: the texture-latent run on the paused carving, a λ_g move at `changeStep`. */
  texture?: { changeStep: number; lambdaG: Map<number, number>; exported: unknown; previews: number };
}

/**
 * Steps of the texture-latent part (each runs two tiny UNets under CFG at 64² latents): enough
 * that a λ_g move made after step 2 still lands before the end on a fast, idle machine.
 */
export const TEXTURE_STEPS = 16;

// Generous: 128² tiny steps on wasm take about 1–2 s each on a quiet machine, far more on a loaded CI runner.
const STEP_TIMEOUT_MS = 480_000;

export async function driveLivePage(page: Page, url: string, origin: string, opts: { texture?: boolean } = {}): Promise<LiveDrive> {
  const problems: string[] = [];
  page.on("console", (m) => m.type() === "error" && problems.push(`console.error: ${m.text()}`));
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
  page.on("response", (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()}: ${r.url()}`));
  // Workers' requests included: anything off the loopback server is a problem.
  const offSite = (u: URL) => u.origin !== origin && u.protocol !== "blob:" && u.protocol !== "data:";
  const block = async (route: Route) => {
    problems.push(`off-site request: ${route.request().url()}`);
    await route.abort("blockedbyclient");
  };
  await page.context().route(offSite, block);
  try {
    const carving = await drive(page, url, problems);
    return opts.texture ? { ...carving, texture: await driveTexture(page) } : carving;
  } finally {
    await page.context().unroute(offSite, block);
  }
}

const stepShown = () => Number(/step (\d+)/.exec(document.querySelector("#live-step")?.textContent ?? "")?.[1] ?? -1);

/** Moves the slider of `key` (in the shown stage's set) to `value`. */
async function moveSlider(page: Page, key: string, value: number) {
  await page.evaluate(
    ([k, v]) => {
      const range = document.querySelector<HTMLInputElement>(`form[data-key=${k}] input[type=range]`)!;
      range.value = String(v);
      range.dispatchEvent(new Event("input", { bubbles: true }));
    },
    [key, value] as const,
  );
}

/** Texture latent on the paused carving's T†: run a few steps, move λ_g, read the rows and the export. */
async function driveTexture(page: Page) {
  await page.click("#live-stage label:has-text('texture latent')");
  await page.fill("input[type=number] >> nth=2", String(TEXTURE_STEPS)); // texture latent steps
  await page.click("#live-run");
  await page.waitForFunction(`(${stepShown})() >= 2`, null, { timeout: STEP_TIMEOUT_MS });
  await moveSlider(page, "lambdaGeneric", 4);
  await page.waitForSelector("#live-changes li[data-key=lambdaGeneric]");
  const changeStep = Number(await page.getAttribute("#live-changes li[data-key=lambdaGeneric]", "data-step"));
  await page.waitForFunction(`(${stepShown})() >= ${TEXTURE_STEPS}`, null, { timeout: STEP_TIMEOUT_MS });
  await page.waitForFunction(() => document.querySelector("#live-status")?.textContent?.startsWith("done"), null, { timeout: STEP_TIMEOUT_MS });
  const rows = await page.$$eval("#live-trajectory tr[data-step]", (trs) => trs.map((tr) => [Number(tr.getAttribute("data-step")), Number(tr.querySelector("td[data-col=lambda_g]")?.textContent)] as [number, number]));
  const previews = await page.$$eval(".live-latent canvas, .live-diffuse canvas", (cs) => cs.length);
  await page.click("#live-export");
  const exported = JSON.parse((await page.textContent("#live-experiment")) ?? "null");
  return { changeStep, lambdaG: new Map(rows), exported, previews };
}

async function drive(page: Page, url: string, problems: string[]): Promise<LiveDrive> {
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("#live-run");
  await page.fill("input[type=number] >> nth=1", "40"); // steps (prompt, seed are before it)
  await page.click("#live-run");
  await page.waitForFunction(() => /step (\d+)/.test(document.querySelector("#live-step")?.textContent ?? "") && Number(/step (\d+)/.exec(document.querySelector("#live-step")!.textContent!)![1]) >= 10, null, { timeout: STEP_TIMEOUT_MS });
  // Move λ_geo: the change applies from the next step the worker takes.
  await page.evaluate(() => {
    const form = document.querySelector<HTMLElement>("form[data-key=lambdaGeo]") ?? [...document.querySelectorAll("form")].find((f) => f.textContent?.includes("λ_geo"))!;
    const range = form.querySelector<HTMLInputElement>("input[type=range]")!;
    range.value = "3000";
    range.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.waitForSelector("#live-changes li");
  const changeStep = Number(await page.getAttribute("#live-changes li", "data-step"));
  await page.waitForFunction((s) => Number(/step (\d+)/.exec(document.querySelector("#live-step")!.textContent!)![1]) >= s + 2, changeStep, { timeout: STEP_TIMEOUT_MS });
  await page.click("#live-pause");
  const rows = await page.$$eval("#live-trajectory tr[data-step]", (trs) => trs.map((tr) => [Number(tr.getAttribute("data-step")), Number(tr.querySelector("td[data-col=lambda_geo]")?.textContent)] as [number, number]));
  const changesListed = await page.$$eval("#live-changes li", (lis) => lis.map((li) => li.textContent ?? ""));
  await page.click("#live-export");
  const exported = JSON.parse((await page.textContent("#live-experiment")) ?? "null");
  return { changeStep, lambdaGeo: new Map(rows), changesListed, exported, problems };
}
