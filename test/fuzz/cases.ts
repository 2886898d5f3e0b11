// Seeded bad-input cases for the fuzz test (test/fuzz/bad-input.test.ts): each is a command
// line plus the files it reads, and a pattern the one-line error must match to name the
// problem. Generators mutate a valid input (experiments/smoke.json, a tiny PNG, the ICT .glb)
// so every case is one mistake away from something that works.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../data-loaders/io/paths.js";
import { Rng } from "../../src/engine/util/rng.js";

export interface FuzzCase {
  family: string;
  name: string;
  /** Files to create (relative to the case's folder) before the run. */
  files: Record<string, string | Uint8Array>;
  /** Arguments; "$DIR" is replaced by the case's folder, "$OUT" by the output path (which must not appear). */
  args: string[];
  env?: Record<string, string>;
  /** What the one line must mention. */
  names: RegExp;
}

const smoke = JSON.parse(readFileSync(join(projectRoot, "experiments", "smoke.json"), "utf8")) as Record<string, unknown>;
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function setPath(obj: Record<string, unknown>, path: string[], value: unknown): void {
  let o = obj;
  for (const k of path.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[path.at(-1)!] = value;
}

/** Leaves of the experiment schema worth mutating (λ's, schedules, sizes, enums), by section. */
const NUMBER_PATHS = [
  "seed",
  "geometry.ranking.lambdaDirect",
  "geometry.ranking.lambdaRelative",
  "geometry.ranking.topK",
  "geometry.carving.steps",
  "geometry.carving.renderSize",
  "geometry.carving.normalMapSize",
  "geometry.carving.lambdaSds",
  "geometry.carving.lambdaShape",
  "geometry.carving.lambdaGeo",
  "geometry.carving.lambdaMap",
  "geometry.carving.guidance",
  "geometry.carving.tMin",
  "geometry.carving.tMax",
  "geometry.carving.maxDisplacement",
  "geometry.carving.snapshotEvery",
  "texture.lambdaGeneric",
  "texture.lambdaTexture",
  "texture.tMin",
  "texture.tMax",
  "texture.latent.steps",
  "texture.image.steps",
  "texture.pbr.size",
];
/** Out-of-range values per leaf (each invalid for that leaf). */
const OUT_OF_RANGE: Record<string, unknown[]> = {
  seed: [-1, 2 ** 40, 0.5],
  "geometry.ranking.lambdaDirect": [-1, -0.001],
  "geometry.ranking.lambdaRelative": [-2],
  "geometry.ranking.topK": [0, -4, 1.5],
  "geometry.carving.steps": [-1, 2.5],
  "geometry.carving.renderSize": [4, 100000],
  "geometry.carving.normalMapSize": [2, 1e6],
  "geometry.carving.lambdaSds": [-1],
  "geometry.carving.lambdaShape": [-0.5],
  "geometry.carving.lambdaGeo": [-1000],
  "geometry.carving.lambdaMap": [-10],
  "geometry.carving.guidance": [-7.5],
  "geometry.carving.tMin": [-0.1, 1.5],
  "geometry.carving.tMax": [1.2, -0.5],
  "geometry.carving.maxDisplacement": [0, -1],
  "geometry.carving.snapshotEvery": [0],
  "texture.lambdaGeneric": [-1],
  "texture.lambdaTexture": [-3],
  "texture.tMin": [-0.2, 2],
  "texture.tMax": [1.01, -1],
  "texture.latent.steps": [-8],
  "texture.image.steps": [-4, 0.25],
  "texture.pbr.size": [0, -512],
};
const WRONG_TYPES: unknown[] = ["ten", [], {}, true, null, [1, 2, 3, 4, 5]];
const BAD_SCHEDULES: unknown[] = [[0, 1], [10, 1, 0], "linear", { points: [] }, { points: [[5, 1], [2, 0.5]] }, { points: [[0, "a"]] }, [0, 1, 0.5, -10]];
const SCHEDULE_PATHS = ["geometry.carving.lambdaSds", "geometry.carving.guidance", "geometry.carving.tMin", "texture.lambdaTexture", "texture.tMax"];
const OBJECT_PATHS = ["", "geometry", "geometry.carving", "geometry.ranking", "texture", "texture.latent", "texture.pbr"];

/** `n` experiment files with one mistake each, run through `geometry <prompt>` or `generate`. */
export function experimentCases(rng: Rng, n: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const syntax: [string, string | Uint8Array, RegExp][] = [
    ["truncated JSON", JSON.stringify(smoke).slice(0, 40), /not valid JSON/],
    ["empty file", "", /not valid JSON|empty/],
    ["a JSON array", "[1, 2]", /experiment/],
    ["a JSON string", '"smoke"', /experiment/],
    ["binary bytes", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 255]), /not valid JSON/],
  ];
  for (const [what, text, names] of syntax) cases.push(experimentCase(rng, `experiment: ${what}`, text, names));
  while (cases.length < n) {
    const exp = clone(smoke);
    const kind = rng.int(0, 3);
    let path: string, value: unknown, what: string;
    if (kind === 0) {
      path = NUMBER_PATHS[rng.int(0, NUMBER_PATHS.length - 1)]!;
      value = WRONG_TYPES[rng.int(0, WRONG_TYPES.length - 1)];
      what = "wrong type";
    } else if (kind === 1) {
      const keys = Object.keys(OUT_OF_RANGE);
      path = keys[rng.int(0, keys.length - 1)]!;
      const values = OUT_OF_RANGE[path]!;
      value = values[rng.int(0, values.length - 1)];
      what = "out of range";
    } else if (kind === 2) {
      const parent = OBJECT_PATHS[rng.int(0, OBJECT_PATHS.length - 1)]!;
      path = [parent, ["lamdaSds", "stepz", "promt", "tMn", "extra"][rng.int(0, 4)]!].filter(Boolean).join(".");
      value = rng.int(0, 1) ? 1 : "x";
      what = "unknown key";
    } else {
      path = SCHEDULE_PATHS[rng.int(0, SCHEDULE_PATHS.length - 1)]!;
      value = BAD_SCHEDULES[rng.int(0, BAD_SCHEDULES.length - 1)];
      what = "bad schedule";
    }
    setPath(exp, path.split("."), value);
    const leaf = path.split(".").at(-1)!;
    cases.push(experimentCase(rng, `experiment: ${what} ${path} = ${JSON.stringify(value)}`, JSON.stringify(exp), new RegExp(escape(leaf))));
  }
  return cases;
}

function experimentCase(rng: Rng, name: string, text: string | Uint8Array, names: RegExp): FuzzCase {
  const command = rng.int(0, 1) ? ["geometry", "a face"] : ["generate", "a face"];
  return { family: "experiment", name: `${command[0]} ${name}`, files: { "exp.json": text }, args: [...command, "--experiment", "$DIR/exp.json", "--out", "$OUT"], names };
}

/** Prompts no model should be given: empty, blank, too long for CLIP, control and bidi-override characters. */
export function promptCases(): FuzzCase[] {
  const prompts: [string, string, RegExp][] = [
    ["empty", "", /prompt is empty/],
    ["blank", " \t ", /prompt is empty/],
    ["10k characters", "a wrinkled old face ".repeat(500), /prompt .*too long|tokens/],
    ["a NUL byte", "an old man\u0000 with a beard", /control character/],
    ["a bell and escape", "a face \u0007\u001b[31m red", /control character/],
    ["a right-to-left override", "a face \u202e\u05d0\u05d1", /control character/],
    ["an isolate and a DEL", "\u2067wide nose\u2069\u007f", /control character/],
  ];
  const cases: FuzzCase[] = [];
  for (const [what, prompt, names] of prompts) {
    cases.push({ family: "prompt", name: `geometry prompt: ${what}`, files: {}, args: ["geometry", prompt, "--out", "$OUT"], names });
    cases.push({ family: "prompt", name: `generate prompt: ${what}`, files: {}, args: ["generate", prompt, "--out", "$OUT"], names });
  }
  return cases;
}
