/**
 * A sweep file (experiments/*.json with a "sweep" kind): a grid of independent generate runs,
 * prompts × grid values × variants × seeds. Every cell is an ordinary experiment (the `base`
 * section with the cell's values set), validated with the experiment schema before any work,
 * so a bad λ in the grid fails at once, naming the cell and the field.
 */
import { z } from "zod";
import { parseExperiment, type Experiment } from "./experiment.js";
import { TEXTURE_VARIANTS, type TextureVariant } from "../stages/texture/config.js";

const variantEnum = z.enum(TEXTURE_VARIANTS as [TextureVariant, ...TextureVariant[]]);

export const sweepSchema = z
  .object({
    kind: z.literal("sweep"),
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, "letters, digits, '.', '_' and '-' only (it names the sweep's folder)"),
    description: z.string().optional(),
    /** The generation prompt of each name; the paper's Fig. 18 uses "the realistic face of {name}". */
    template: z.string().includes("{name}", { message: "must contain {name}" }).default("{name}"),
    prompts: z.array(z.string().trim().min(1)).min(1),
    variants: z.array(variantEnum).min(1).default(["full"]),
    seeds: z.array(z.number().int().min(0).max(0xffffffff)).min(1),
    profile: z.string().min(1).default("tiny"),
    /** Text the final renders are CLIP-scored against ({prompt} = the generation prompt). */
    scoreTemplate: z.string().includes("{prompt}", { message: "must contain {prompt}" }).default("{prompt}"),
    /** Experiment sections (geometry, texture, …) shared by every cell. */
    base: z.record(z.string(), z.unknown()).default({}),
    /** Dotted experiment paths → the values to sweep, e.g. {"texture.lambdaTexture": [0.5, 1]}. */
    grid: z.record(z.string().regex(/^(geometry|texture)(\.[A-Za-z0-9_]+)+$/, "a dotted path under geometry. or texture."), z.array(z.unknown()).min(1)).default({}),
  })
  .strict();

export type Sweep = z.output<typeof sweepSchema>;

export interface SweepCell {
  /** Position in the full grid: shard i of n runs the cells with index mod n = i. */
  index: number;
  /** Folder name, stable and readable: p03-albert-einstein-full-s1[-g2]. */
  id: string;
  name: string;
  prompt: string;
  variant: TextureVariant;
  seed: number;
  /** This cell's grid values (dotted path → value); {} without a grid. */
  params: Record<string, unknown>;
  experiment: Experiment;
}

const slug = (s: string) => s.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "").slice(0, 40) || "x";

/** Every combination of the grid's values, in file order (last path fastest). */
export function gridCombos(grid: Record<string, readonly unknown[]>): Record<string, unknown>[] {
  let combos: Record<string, unknown>[] = [{}];
  for (const [path, values] of Object.entries(grid)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [path]: v })));
  return combos;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    node = node[k] = next && typeof next === "object" && !Array.isArray(next) ? { ...(next as Record<string, unknown>) } : {};
  }
  node[keys.at(-1)!] = value;
}

/** Parses a sweep; the Error names every bad field (or the first bad cell) with its path. */
export function parseSweep(input: unknown): Sweep {
  const result = sweepSchema.safeParse(input);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(top level)"}: ${i.message}`);
    throw new Error(`invalid sweep: ${problems.join("; ")}`);
  }
  sweepCells(result.data);
  return result.data;
}

/** The grid in its fixed order: prompts, then grid values, then variants, then seeds. */
export function sweepCells(sweep: Sweep): SweepCell[] {
  const cells: SweepCell[] = [];
  const combos = gridCombos(sweep.grid);
  sweep.prompts.forEach((name, p) => {
    const prompt = sweep.template.replaceAll("{name}", name);
    combos.forEach((params, g) => {
      for (const variant of sweep.variants) {
        for (const seed of sweep.seeds) {
          const raw = structuredClone(sweep.base) as Record<string, unknown>;
          for (const [path, value] of Object.entries(params)) setPath(raw, path, value);
          setPath(raw, "texture.variant", variant);
          const id = `p${String(p).padStart(2, "0")}-${slug(name)}-${variant}-s${seed}${combos.length > 1 ? `-g${g}` : ""}`;
          let experiment: Experiment;
          try {
            experiment = parseExperiment({ ...raw, name: `${sweep.name}/${id}`, prompt, seed, profile: sweep.profile });
          } catch (error) {
            throw new Error(`invalid sweep: cell ${id}: ${(error as Error).message.replace(/^invalid experiment: /, "")}`);
          }
          cells.push({ index: cells.length, id, name, prompt, variant, seed, params, experiment });
        }
      }
    });
  });
  const ids = new Set(cells.map((c) => c.id));
  if (ids.size !== cells.length) throw new Error("invalid sweep: two prompts give the same cell folder name; make the names differ in letters or digits");
  return cells;
}

/** The cells shard `index` of `count` runs: those whose grid index is ≡ index (mod count), as `pool build --shard` splits chunks. */
export function shardCells<T extends { index: number }>(cells: readonly T[], shard: { index: number; count: number }): T[] {
  return cells.filter((c) => c.index % shard.count === shard.index);
}
