// `dreamface models pull|check|build-tiny|list`: the model profiles (models/README.md).
import type { Command } from "commander";
import { PROFILES } from "../../../models/cards/profiles.js";
import { UserError } from "../errors.js";

function profileOf(value: string | undefined, fallback = "tiny"): string {
  const p = value ?? fallback;
  if (!(PROFILES as readonly string[]).includes(p)) throw new UserError(`unknown profile "${p}" (known: ${PROFILES.join(", ")})`);
  return p;
}

export function register(program: Command): void {
  const models = program.command("models").description("model profiles: build the tiny test models, pull and check sd15");

  models
    .command("build-tiny")
    .description("write the tiny profile (small seeded ONNX graphs; outputs are test signals, not faces)")
    .option("--seed <n>", "weight seed (same seed → identical bytes)", "0")
    .option("--out <dir>", "output folder (default models/tiny)")
    .option("--core", "skip the animation stage's graphs (they are the large ones)")
    .action(async (flags: { seed: string; out?: string; core?: boolean }) => {
      const seed = Number(flags.seed);
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new UserError(`--seed ${flags.seed}: must be an integer in [0, 4294967295]`);
      const { writeTinyModels, defaultTinyDir } = await import("../../models/build-tiny.js");
      const out = flags.out ?? defaultTinyDir();
      const m = await writeTinyModels(out, seed, flags.core ? "core" : "all");
      for (const [role, f] of Object.entries(m.files)) console.log(`${f.sha256}  ${String(f.bytes).padStart(9)}  ${role}`);
      console.log(`wrote ${Object.keys(m.files).length} tiny models (seed ${seed}) and manifest.json to ${out}`);
    });

  models
    .command("check")
    .description("validate a profile folder: one error per file (missing, truncated, wrong signature, checksum) with how to fix it")
    .argument("[dir]", "folder to check (default: the profile's folder)")
    .option("--profile <name>", "tiny | sd15", undefined)
    .option("--roles <list>", "only these roles, comma-separated (e.g. unet,vae_decoder)")
    .option("--hashes", "also sha256 multi-GB files against the pull manifest")
    .action(async (dir: string | undefined, flags: { profile?: string; roles?: string; hashes?: boolean }) => {
      const profile = profileOf(flags.profile, dir ? "sd15" : "tiny");
      const { existsSync } = await import("node:fs");
      if (dir && !existsSync(dir)) throw new UserError(`${dir}: no such folder (pull with \`dreamface models pull ${profile} --dir ${dir}\`)`);
      const { checkModels, formatProblem } = await import("../../models/check.js");
      const { ROLES } = await import("../../../models/cards/roles.js");
      const roles = flags.roles?.split(",").map((r) => r.trim()).filter(Boolean);
      const unknown = roles?.filter((r) => !(r in ROLES));
      if (unknown?.length) throw new UserError(`--roles: unknown role(s) ${unknown.join(", ")} (known: ${Object.keys(ROLES).join(", ")})`);
      const report = await checkModels({ profile, ...(dir ? { dir } : {}), ...(roles ? { roles } : {}), ...(flags.hashes ? { hashes: true } : {}) });
      // The whole profile was checked: say what it can do, and let absent roles that are derived
      // or have a labelled substitute be notes rather than errors (the public-weights case).
      let problems = report.problems;
      if (!roles) {
        const { classifyRoles, tableStates } = await import("../../models/preflight.js");
        const { capabilityTable, formatCapabilityTable } = await import("../../../src/engine/models/capabilities.js");
        const probe = classifyRoles(report, Object.keys(ROLES));
        console.log(formatCapabilityTable(capabilityTable(profile, tableStates(probe))));
        // The tiny profile is built whole: a missing tiny file is a build problem, never excused.
        const excused = (role: string) => profile !== "tiny" && probe.states[role] === "missing" && ROLES[role]?.userSupplied === true && !ROLES[role]?.derivedFrom;
        for (const p of problems.filter((x) => excused(x.role))) console.log(`--  ${p.role}: absent (no public weights; its substitute is in the table)`);
        problems = problems.filter((p) => !excused(p.role));
      }
      for (const role of report.ok) console.log(`ok  ${role}`);
      for (const d of report.derived) console.log(`derived  ${d.role} (from ${d.from}, by the ONNX autodiff on first use)`);
      if (problems.length) {
        // The report lists every problem; the error itself is one line (errors.ts prints one).
        for (const p of problems) console.log(`bad ${formatProblem(p)}`);
        const more = problems.length > 1 ? ` (and ${problems.length - 1} more, listed above)` : "";
        throw new UserError(`${problems.length} problem(s) in ${report.dir} (profile ${profile}): ${formatProblem(problems[0]!)}${more}`);
      }
      const absent = report.problems.length - problems.length;
      console.log(absent ? `${report.dir}: the ${report.ok.length} ${profile} model files present look right; ${absent} role(s) absent, derived or substituted (see the table)` : `${report.dir}: all ${report.ok.length} ${profile} models look right`);
    });

  models
    .command("pull")
    .description("download a profile's public ONNX files with progress, resume and sha256 verification")
    .argument("<profile>", "sd15")
    .option("--dir <dir>", "destination (default <cache>/models/<profile>, or DREAMFACE_SD15_DIR)")
    .action(async (profileArg: string, flags: { dir?: string }) => {
      const profile = profileOf(profileArg);
      const { pullProfile, PullError } = await import("../../models/pull.js");
      const { SingleBar, Presets } = await import("cli-progress");
      const bar = new SingleBar({ format: "{file} {bar} {percentage}% {value}/{total} MB", hideCursor: true }, Presets.shades_classic);
      let current = "";
      try {
        const files = await pullProfile(profile, {
          ...(flags.dir ? { dir: flags.dir } : {}),
          onProgress: (p) => {
            const mb = (n: number) => Math.round(n / 1048576);
            if (p.file !== current) {
              if (current) bar.stop();
              current = p.file;
              bar.start(mb(p.total ?? p.received), mb(p.received), { file: p.file });
            }
            bar.update(mb(p.received), { file: p.file });
          },
          onWarning: (m) => console.warn(`warning: ${m}`),
        });
        if (current) bar.stop();
        console.log(`${Object.keys(files).length} files present and verified`);
      } catch (error) {
        if (current) bar.stop();
        if (error instanceof PullError) throw new UserError(error.message);
        throw error;
      }
    });

  models
    .command("vjp")
    .description("write the vector-Jacobian-product graph of an ONNX model (reverse-mode autodiff; models/README.md)")
    .argument("<model>", "forward ONNX file (external weights beside it stay external)")
    .requiredOption("--wrt <inputs>", "graph inputs to differentiate with respect to, comma-separated")
    .option("--output <name>", "the output whose cotangent grad_<output> is given (needed when there are several)")
    .requiredOption("--out <file>", "VJP graph to write; beside <model> it references the same weights, elsewhere it gets <out>.data")
    .action(async (model: string, flags: { wrt: string; output?: string; out: string }) => {
      const { existsSync } = await import("node:fs");
      if (!existsSync(model)) throw new UserError(`${model}: no such file`);
      const wrt = flags.wrt.split(",").map((w) => w.trim()).filter(Boolean);
      if (!wrt.length) throw new UserError("--wrt: give at least one input name");
      const { writeVjpFile } = await import("../../models/vjp-file.js");
      const { VjpError } = await import("../../../src/engine/autodiff/vjp.js");
      const { isTruncatedProtobuf } = await import("../../models/check.js");
      try {
        const r = writeVjpFile(model, flags.out, { wrt, ...(flags.output ? { output: flags.output } : {}) });
        console.log(`wrote ${r.out} (${r.nodes} nodes, ${(r.bytes / 1048576).toFixed(1)} MB${r.dataFile ? `; weights copied to ${r.dataFile}` : ""}): inputs = ${model}'s inputs + grad_<output>, outputs ${wrt.map((w) => `grad_${w}`).join(", ")}`);
      } catch (error) {
        if (error instanceof VjpError) throw new UserError(`${model}: ${error.message}`);
        if (isTruncatedProtobuf(error)) throw new UserError(`${model}: not a readable ONNX file (truncated or corrupt: ${(error as Error).message})`);
        throw error;
      }
    });

  models
    .command("list")
    .description("list the roles of a profile with their files, signatures and sources")
    .option("--profile <name>", "tiny | sd15", "tiny")
    .option("--json", "print the cards as JSON")
    .action(async (flags: { profile: string; json?: boolean }) => {
      const profile = profileOf(flags.profile);
      const { cardsFor } = await import("../../../models/cards/profiles.js");
      const { signatureText } = await import("../../models/check.js");
      const cards = cardsFor(profile);
      if (flags.json) return console.log(JSON.stringify(cards, null, 2));
      for (const c of cards) console.log(`${c.role.padEnd(22)} ${c.file}\n  ${signatureText(c)}\n  ${c.source}`);
    });
}
