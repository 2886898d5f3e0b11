// `generate` scores every run: it ends with the CLIP score of the final renders (the same
// evaluateRun as `dreamface eval`, with --template), writes <run>/texture/metrics.json, and the
// Evaluation page lists the run without further commands. Page payloads built from the run
// name it by its id under results/, never by a path of this machine. The default pool's size
// depends on the profile (tiny 64, sd15 10k), checked without building 10k candidates.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { buildPool } from "../geometry/pool-build.js";
import { cachedPoolDir, defaultPoolSize, DEFAULT_POOL_SIZES } from "../geometry/pool-default.js";
import { ensureTinyModels } from "../models/ensure-tiny.js";
import { evaluationPayload, runPagePayload, runsPagePayload } from "../evaluation/pages.js";
import { publishable } from "../io/publish.js";
import { projectRoot, userCacheDir } from "../io/paths.js";
import { TINY_LABEL } from "../run/index.js";
import { runCli } from "../../test/helpers/cli.js";
import { tempDir } from "../../test/helpers/tmp.js";
import { writeSmallExperiment } from "../../test/helpers/generate.js";
import { loadExperiment } from "../run/experiment.js";

const tmp = tempDir("dreamface-generate-score-");

test("default pool size per profile: tiny 64, sd15 10k, an explicit experiment value wins", () => {
  assert.equal(defaultPoolSize("tiny"), 64);
  assert.equal(defaultPoolSize("sd15"), 10_000);
  assert.equal(defaultPoolSize("sd15", 1_000_000), 1_000_000);
  assert.deepEqual(DEFAULT_POOL_SIZES, { tiny: 64, sd15: 10_000 });
  // What the geometry stage (and so generate) picks: the experiment's size if it sets one, else the profile's.
  const size = (experiment: string | undefined, profile: string) => defaultPoolSize(profile, loadExperiment(experiment, { profile }).geometry.ranking.defaultPoolSize);
  assert.equal(size(undefined, "sd15"), 10_000);
  assert.equal(size(undefined, "tiny"), 64);
  const exp = join(tmp, "pool-exp.json");
  writeFileSync(exp, JSON.stringify({ geometry: { ranking: { defaultPoolSize: 5000 } } }));
  assert.equal(size(exp, "sd15"), 5000);
  // Cached per profile, size and seed (and the dependency key), so the 10k pool never collides with the tiny one.
  assert.match(cachedPoolDir("sd15", 10_000, 0), new RegExp(`^${join(userCacheDir(), "pools", "sd15-10000-seed0-")}[0-9a-f]{12}$`));
});

test("publishable rewrites this machine's paths, keeps ids, text and base64", () => {
  const results = join(tmp, "some-results");
  const blob = Buffer.alloc(600, 7).toString("base64").replace(/^..../, "/tmp");
  const out = publishable(
    {
      a: join(results, "runs", "r1", "geometry"),
      b: `the pool at ${join(tmp, "pool")} was embedded with tiny`,
      c: [join(homedir(), "x", "y.onnx"), join(projectRoot, "experiments", "smoke.json"), results],
      d: join(userCacheDir(), "pools", "tiny-256-seed0"),
      e: "runs/r1/texture",
      n: 3,
      blob,
    },
    { results },
  );
  assert.equal(out.a, "runs/r1/geometry");
  assert.match(out.b, /^the pool at \$TMPDIR\/dreamface-generate-score-\w+\/pool was embedded with tiny$/);
  assert.equal(out.c[1], "experiments/smoke.json");
  assert.equal(out.c[2], "results");
  assert.ok(!out.c[0]!.includes(homedir() + "/"), out.c[0]);
  assert.ok(out.d.startsWith("$DREAMFACE_CACHE_DIR/pools/") || out.d.startsWith("~/"), out.d);
  assert.equal(out.e, "runs/r1/texture");
  assert.equal(out.n, 3);
  assert.equal(out.blob, blob);
});

test("generate ends with a CLIP score in metrics.json; the pages list the run by id, with no local path", async () => {
  await ensureTinyModels();
  const pool = join(tmp, "pool");
  await buildPool({ out: pool, size: 3, chunkSize: 3, seed: 1, profile: "tiny", quiet: true });
  const experiment = join(tmp, "exp.json");
  writeSmallExperiment(experiment, { name: "score", seed: 1, profile: "tiny" });
  const results = join(tmp, "results");
  const prompt = "an old man with a grey beard";
  // A bad template fails before any work.
  const bad = runCli(["generate", prompt, "--pool", pool, "--experiment", experiment, "--template", "no placeholder"], { DREAMFACE_RESULTS_DIR: results });
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /--template must contain \{prompt\}/);
  assert.ok(!existsSync(join(results, "runs")));

  const r = runCli(["generate", prompt, "--pool", pool, "--experiment", experiment, "--template", "the realistic face of {prompt}"], { DREAMFACE_RESULTS_DIR: results });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /CLIP score -?\d\.\d{4} over 3 rendered view\(s\), text "the realistic face of an old man with a grey beard" \[.*test signal/);
  const [id] = readdirSync(join(results, "runs"));
  const run = join(results, "runs", id!);
  const metrics = JSON.parse(readFileSync(join(run, "texture", "metrics.json"), "utf8"));
  const clip = metrics.metrics.clip_score;
  assert.ok(Number.isFinite(clip.value), String(clip.value));
  assert.equal(clip.text, "the realistic face of an old man with a grey beard");
  assert.equal(clip.template, "the realistic face of {prompt}");
  assert.equal(metrics.label, TINY_LABEL);
  const top = JSON.parse(readFileSync(join(run, "manifest.json"), "utf8"));
  assert.equal(top.metrics.file, "texture/metrics.json");
  assert.equal(top.metrics.clip_score, clip.value);
  assert.ok(top.outputs["texture/metrics.json"]);

  // The Evaluation page lists the run, labelled as a test signal, with no extra command.
  const evaluation = await evaluationPayload(results);
  const row = evaluation.metrics.find((m) => m.key === `${id}/texture` && m.metric === "clip_score");
  assert.ok(row, JSON.stringify(evaluation.metrics.map((m) => m.key)));
  assert.equal(row.value, clip.value);
  assert.equal(row.label, TINY_LABEL);
  assert.equal(row.prompt, prompt);
  const runs = runsPagePayload(results);
  assert.equal(runs.runs.find((x) => x.key === `${id}/texture`)?.clipScore, clip.value);
  const page = await runPagePayload(id!, results);
  const texture = page.stages.find((s) => s.stage === "texture")!;
  // The manifest on disk keeps its absolute input path; the page names the run by id.
  assert.equal((texture.manifest.inputs as { geometry: string }).geometry, `runs/${id}/geometry`);

  // No page payload built from the run names the temp folder, the home or the project root.
  const saved = process.env.DREAMFACE_RESULTS_DIR;
  process.env.DREAMFACE_RESULTS_DIR = results;
  try {
    const { carvingPagePayload } = await import("../geometry/pages.js");
    const { texturePagePayload } = await import("../texture/pages.js");
    const payloads: Record<string, unknown> = { evaluation, runs, page, carving: await carvingPagePayload(), texture: await texturePagePayload() };
    assert.match(String((payloads.carving as { source: string }).source), new RegExp(`^results run runs/${id}/geometry$`));
    for (const [name, payload] of Object.entries(payloads)) {
      const text = JSON.stringify(payload);
      for (const local of [tmp, `${tmpdir()}/`, `${homedir()}/`, projectRoot]) assert.ok(!text.includes(local), `${name} payload contains ${local}`);
    }
  } finally {
    if (saved === undefined) delete process.env.DREAMFACE_RESULTS_DIR;
    else process.env.DREAMFACE_RESULTS_DIR = saved;
  }
});
