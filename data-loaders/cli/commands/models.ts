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
      for (const role of report.ok) console.log(`ok  ${role}`);
      if (report.problems.length) {
        throw new UserError(
          `${report.problems.length} problem(s) in ${report.dir} (profile ${profile}):\n` + report.problems.map((p) => `  ${formatProblem(p)}`).join("\n"),
        );
      }
      console.log(`${report.dir}: all ${report.ok.length} ${profile} models look right`);
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
