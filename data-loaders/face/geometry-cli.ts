// `dreamface geometry` without a prompt: an ICT face from explicit coefficients, written as
// OBJ (+ MTL) or glTF binary. Everything is validated before anything is written.
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { basename, dirname, extname, resolve } from "node:path";
import { Rng } from "../../src/engine/util/rng.js";
import { writeObj, writeMtl } from "../../src/engine/export/obj.js";
import { writeGlb } from "../../src/engine/export/gltf.js";
import { faceGlbAsset, faceObjMesh, regionMaterialGroups } from "../../src/engine/export/face-asset.js";
import { ICT_SKIN_GROUPS, ictMtlMaterial } from "../../src/engine/export/ict-materials.js";
import { writeFileAtomic } from "../io/atomic.js";
import { UserError } from "../cli/errors.js";
import { loadFaceModel } from "./load.js";
import { parseExpression, parseIdentity } from "./coefficients.js";

export interface IctGeometryOptions {
  identity?: string;
  expression?: string;
  seed?: string;
  region?: string;
  out?: string;
  ictDir?: string;
}

/** Checks the output path: known extension, existing writable directory, not a directory itself. */
function checkOutputPath(out: string | undefined, extensions: readonly string[]): string {
  if (!out) throw new UserError(`--out is required (a file ending in ${extensions.join(" or ")})`);
  const path = resolve(out);
  const ext = extname(path).toLowerCase();
  if (!extensions.includes(ext)) throw new UserError(`--out ${out}: unknown extension "${ext || "(none)"}"; use ${extensions.join(" or ")}`);
  const dir = dirname(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`--out ${out}: the directory ${dir} does not exist`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw new UserError(`--out ${out}: the directory ${dir} is not writable`);
  }
  if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`--out ${out} is a directory, not a file`);
  return path;
}

function parseSeed(seed: string | undefined): number | undefined {
  if (seed === undefined) return undefined;
  if (!/^\d+$/.test(seed) || Number(seed) > 0xffffffff) throw new UserError(`--seed must be an integer from 0 to 4294967295, got "${seed}"`);
  return Number(seed);
}

export async function runIctGeometry(opts: IctGeometryOptions): Promise<{ path: string; vertices: number; triangles: number }> {
  const out = checkOutputPath(opts.out, [".obj", ".glb"]);
  const region = opts.region ?? "dreamface";
  if (region !== "dreamface" && region !== "full") throw new UserError(`--region must be "dreamface" or "full", got "${region}"`);
  const seed = parseSeed(opts.seed);
  const model = await loadFaceModel({ dir: opts.ictDir });
  const K = model.identityModes.length;
  const explicitIdentity = parseIdentity(opts.identity ?? "", K);
  const expressionWeights = parseExpression(opts.expression ?? "", model.expressionNames);

  // β ~ N(0, I) from the seed, then explicit entries override single modes.
  const identity = new Float32Array(K);
  if (seed !== undefined) {
    const rng = Rng.derive(seed, "geometry", "identity");
    for (let k = 0; k < K; k++) identity[k] = rng.normal();
  }
  for (const [k, v] of explicitIdentity) identity[k] = v;
  const expression = new Float32Array(model.expressionNames.length);
  for (const [j, v] of expressionWeights) expression[j] = v;

  const r = model.regions[region];
  const provenance = [
    "DreamFace Workbench: ICT-FaceKit face (MIT, USC ICT), geometry from explicit coefficients",
    `region ${region}: ${r.vertexCount} vertices, ${r.triangles.length / 3} triangles`,
    `identity ${opts.identity ?? ""}${seed !== undefined ? ` (seed ${seed}: β ~ N(0, I))` : ""}`,
    `expression ${opts.expression ?? ""}`,
  ];
  if (extname(out).toLowerCase() === ".obj") {
    const mtlName = basename(out, extname(out)) + ".mtl";
    // ICT's own material groups, skin ones sharing one colour, the rest plain stand-ins.
    const groups = regionMaterialGroups(model, region);
    const obj = writeObj(faceObjMesh(model, { identity, expression, region }), { comments: provenance, mtllib: mtlName, material: "face", ...(groups.length ? { groups } : {}) });
    const names = groups.length ? [...new Set(groups.map((g) => g.material))] : ["face"];
    const mtl = writeMtl(names.map((n) => (n === "face" || ICT_SKIN_GROUPS.includes(n) ? { name: n, diffuse: [0.8, 0.65, 0.55] as const } : ictMtlMaterial(n))));
    // The .mtl first: an .obj never points at a missing material file.
    writeFileAtomic(resolve(dirname(out), mtlName), mtl);
    writeFileAtomic(out, obj);
  } else {
    const asset = faceGlbAsset(model, { identity, expression, region, extras: { dreamface: provenance } });
    writeFileAtomic(out, writeGlb(asset));
  }
  return { path: out, vertices: r.vertexCount, triangles: r.triangles.length / 3 };
}
