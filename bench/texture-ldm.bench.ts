// The texture LDM on the tiny profile: one training step per variant (forward + weight VJP
// [+ text-encoder VJP] + Adam) against its peer measured in the same run, the plain forward
// call of the same weights-as-inputs UNet at the same batch; and the whole Fig. 13 protocol
// (`ablate texture-ldm --samples 64 --subsets 10`, 3 × 200 steps) once, wall clock.
// Seeded random graphs: this times the plumbing, not SD 1.5. TEXTURE_LDM_BENCH_FULL=0 skips
// the whole-protocol run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { report, ratioLine, time } from "./lib.js";
import { createNodeBackend } from "../data-loaders/models/backend-node.js";
import { generateDataset, readDataset } from "../data-loaders/texture-ldm/dataset-files.js";
import { defaultWeights, ldmSessions, modelSpace } from "../data-loaders/texture-ldm/setup.js";
import { ldmDefaults } from "../data-loaders/texture-ldm/defaults.js";
import { ablateTextureLdm } from "../data-loaders/texture-ldm/ablate.js";
import { textureDomainTokens } from "../src/engine/models/decoders.js";
import { ddpmSchedule } from "../src/engine/diffusion/schedule.js";
import { LdmConditioning } from "../src/engine/stages/texture-ldm/conditioning.js";
import { LdmTrainer } from "../src/engine/stages/texture-ldm/trainer.js";
import { epsWith } from "../src/engine/stages/texture-ldm/unet-feeds.js";
import { LDM_VARIANTS } from "../src/engine/stages/texture-ldm/variants.js";

const tmp = mkdtempSync(join(tmpdir(), "ldm-bench-"));
const d = ldmDefaults("tiny");
const backend = await createNodeBackend({ profile: "tiny" });
const lines: string[] = [];
const timings: Record<string, unknown> = {};
try {
  await generateDataset(join(tmp, "data"), { count: 32, seed: 0 });
  const ds = readDataset(join(tmp, "data"));
  const data = await modelSpace(backend, ds);
  const cond = new LdmConditioning(backend);
  const t = await textureDomainTokens(backend);
  for (const v of LDM_VARIANTS) {
    const s = await ldmSessions(backend, v, defaultWeights("tiny"));
    const trainer = new LdmTrainer(s, s.graphs, cond, data, ddpmSchedule(), { variant: v, steps: 1e9, batch: d.batch, seed: 0, lr: d.lr, tokenLr: d.tokenLr }, new Float32Array([...t.desired, ...t.undesired]));
    const step = await time(`${v} training step`, () => trainer.next(), { runs: 20, warmup: 3 });
    const hidden = await cond.plainHidden(data.items[0]!.ids);
    const hw = data.h * data.w, C = s.graphs.channels;
    const sample = new Float32Array(d.batch * C * hw).fill(0.1);
    const h = new Float32Array(d.batch * hidden.length);
    for (let b = 0; b < d.batch; b++) h.set(hidden, b * hidden.length);
    const peer = await time("forward call (same batch)", () => epsWith(s.forward, s.graphs.params, s.graphs.init, { sample, dims: [d.batch, C, data.h, data.w], t: 500, hidden: h }), { runs: 20, warmup: 3 });
    lines.push(ratioLine(`${v} step (batch ${d.batch})`, step, peer));
    timings[v] = { step, peer };
  }
  if (process.env.TEXTURE_LDM_BENCH_FULL !== "0") {
    const t0 = performance.now();
    await ablateTextureLdm({ profile: "tiny", samples: 64, subsets: 10, seed: 0, out: join(tmp, "ablate"), steps: d.steps, batch: d.batch, ddimSteps: d.ddimSteps, count: d.count, lr: d.lr, tokenLr: d.tokenLr, quiet: true });
    const ms = performance.now() - t0;
    console.log(`ablate texture-ldm --profile tiny --samples 64 --subsets 10: ${(ms / 1000).toFixed(1)} s`);
    timings.protocolMs = Math.round(ms);
  }
} finally {
  await backend.dispose();
  rmSync(tmp, { recursive: true, force: true });
}
report("texture-ldm", { profile: "tiny", note: "seeded random graphs: plumbing time, not SD 1.5", lines, timings });
