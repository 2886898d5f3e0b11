/**
 * Detail carving (paper Sec. 4.2, Eq. 4–8). Parameters x_d = [V_d, N_d, β]:
 *   V_d  `[V]`      a scalar displacement per vertex along the coarse normal: T† = T(β) + V_d ⊙ n(T(β))
 *   N_d  `[M*(n·M)*3]` a tangent-space detail normal map (flat = (0, 0, 1)) used when shading,
 *                   one M² tile per UV tile of the region side by side (face/atlas.ts): the
 *                   paper's face tile, then ICT's head-and-neck tile, so the neck and scalp
 *                   get detail and gradients too (the paper only shows the face tile)
 *   β    `[K]`      the identity code, starting at the selected β*
 * One step: random view on the azimuth arc and light in the front hemisphere, t ~ U(tMin, tMax)·T,
 * render → VAE encode → noisy latents → guided ε̂ → SDS gradient → encoder VJP → renderer
 * adjoint → gradients for V_d, N_d, β, plus the regularizers of Eq. 7; one Adam step per group.
 *
 * Every step's randomness comes from Rng.derive(seed, "carve-step", i), so a run resumed from a
 * checkpoint at any step draws exactly what the uninterrupted run drew.
 *
 * The shading frame follows the carved mesh: every render (each step's, snapshots) recomputes
 * the vertex normals and the tangents of N_d's tangent space from T† itself, so the detail
 * normals sit on the surface the displacements made, not on T(β*).
 *
 * Approximations of the backward pass (stated, not hidden; the forward is exact):
 *  - the displacement directions n(T(β)) are constants: dT†/dV_d = n, dT†/dβ = modes (no
 *    term V_d·∂n/∂β);
 *  - the tangents t of N_d's frame are constants (the renderer's adjoint does differentiate the
 *    shading normals and the bitangents w·(n × t) with respect to T†);
 *  - visibility is constant (no silhouette gradient).
 * `vjp` is that chain from dL/dimage to (V_d, N_d, β); test/stages/geometry/carve-chain.test.ts
 * checks it against finite differences of `renderCarved` with the same constants held fixed.
 */
import { Adam } from "../../optim/adam.js";
import { scheduleValue } from "../../config/schedule.js";
import { Rng } from "../../util/rng.js";
import type { FaceModel, SeamSplitMesh } from "../../face/types.js";
import { synthesize, synthesizeBackward } from "../../face/synthesize.js";
import { vertexNormals } from "../../face/normals.js";
import { splitFrame } from "../../face/seam.js";
import { joinTiles, splitTiles } from "../../face/atlas.js";
import { render, renderBackward, type RenderGrads, type RenderMesh, type RenderOptions, type RenderResult } from "../../raster/render.js";
import { stageRenderer, type ParallelRenderer } from "../../raster/parallel.js";
import type { Camera, DirectionalLight } from "../../raster/types.js";
import { orbitCamera, sampleFrontLight, sampleOrbitCamera, directionalLight } from "../../raster/camera.js";
import { ddpmSchedule, type DdpmSchedule } from "../../diffusion/schedule.js";
import { addNoise } from "../../diffusion/noise.js";
import { sdsGrad } from "../../diffusion/sds.js";
import { timestepAt } from "../../diffusion/timesteps.js";
import type { CarvingConfig } from "./config.js";
import { buildAdjacency, laplacianLoss, normalMapLoss, shapeLoss, type Adjacency } from "./regularizers.js";
import { fromVaeInputGrad, toVaeInput, type SdsGuide } from "./guide.js";
import { l2norm } from "../../util/vec.js";
import { expectArray, expectStep, RestoreMismatchError, type Resumable, type ResumableState } from "../../run/resumable.js";

/** The carving config with the per-profile sizes filled in (data-loaders/geometry/run.ts). */
export type ResolvedCarvingConfig = CarvingConfig & { renderSize: number; normalMapSize: number };

/** The frame a render of T† used: displacement directions n(T(β)) per model vertex, and N_d's tangents per render vertex. */
export interface CarveFrame {
  /** Unit vertex normals of T(β) `[V*3]`: the direction of V_d. */
  normals: Float32Array;
  /** glTF tangents (xyzw) of T† per seam-split render vertex `[S*4]`. */
  tangents: Float32Array;
}

export interface CarveForward {
  /** T† `[V*3]`. */
  carved: Float32Array;
  frame: CarveFrame;
  rendered: RenderResult;
}

export interface CarveGrads {
  /** dL/dT† `[V*3]` (before regularizers). */
  positions: Float32Array;
  vd: Float32Array;
  nd: Float32Array;
  beta: Float32Array;
}

export interface CarveSetup {
  model: FaceModel;
  /** Seam split of the region being carved ("dreamface"). */
  split: SeamSplitMesh;
  betaStar: Float32Array;
  config: ResolvedCarvingConfig;
  seed: number;
  guide: SdsGuide;
  /**
   * Renders each step's view and its adjoint: a ParallelRenderer over the machine's cores (the
   * CLI) or, by default, one on this thread. Either way with the config's `renderBands` bands,
   * so the bytes do not depend on the choice.
   */
  renderer?: ParallelRenderer;
}

/** One trajectory row: every loss term, gradient norms per group, t, λ values, learning rates. */
export type CarveRow = Record<string, number>;

const ALBEDO = [0.75, 0.75, 0.75];
const BACKGROUND = [1, 1, 1];

export class Carver implements Resumable {
  readonly vertexCount: number;
  readonly vd: Float32Array;
  readonly nd: Float32Array;
  readonly beta: Float32Array;
  readonly adamVd: Adam;
  readonly adamNd: Adam;
  readonly adamBeta: Adam;
  /** Completed steps. */
  step = 0;
  readonly coarse: Float32Array; // T* = T(β*)
  private readonly triangles: Uint32Array;
  private readonly adjacency: Adjacency;
  private readonly schedule: DdpmSchedule;
  /** N_d's atlas: `tiles` tiles of M² side by side (width M·tiles, height M). */
  readonly ndWidth: number;
  readonly ndHeight: number;
  private readonly renderer: ParallelRenderer;

  constructor(readonly setup: CarveSetup) {
    this.renderer = setup.renderer ?? stageRenderer(setup.config.renderBands);
    if (this.renderer.bands !== setup.config.renderBands)
      throw new Error(`carve: the renderer splits frames into ${this.renderer.bands} bands, the config asks for ${setup.config.renderBands} (the gradients' bytes depend on it)`);
    const { model, split, betaStar, config } = setup;
    if (betaStar.length !== model.identityModes.length)
      throw new Error(`carve: β* has ${betaStar.length} values, the model has ${model.identityModes.length} identity modes`);
    this.coarse = synthesize(model, { identity: betaStar, region: "dreamface" });
    this.vertexCount = this.coarse.length / 3;
    this.triangles = model.regions.dreamface.triangles;
    this.adjacency = buildAdjacency(this.triangles, this.vertexCount);
    const M = config.normalMapSize;
    this.ndHeight = M;
    this.ndWidth = M * split.tiles;
    this.vd = new Float32Array(this.vertexCount);
    this.nd = new Float32Array(this.ndWidth * M * 3);
    for (let i = 2; i < this.nd.length; i += 3) this.nd[i] = 1;
    this.beta = betaStar.slice();
    this.adamVd = new Adam(this.vd.length);
    this.adamNd = new Adam(this.nd.length);
    this.adamBeta = new Adam(this.beta.length);
    this.schedule = ddpmSchedule();
  }

  /** T(β) and its unit vertex normals (the displacement directions). */
  private base(): { positions: Float32Array; normals: Float32Array } {
    const positions = synthesize(this.setup.model, { identity: this.beta, region: "dreamface" });
    return { positions, normals: vertexNormals(positions, this.triangles) };
  }

  /** T† = T(β) + V_d ⊙ n(T(β)). */
  carved(): Float32Array {
    const { positions, normals } = this.base();
    for (let v = 0; v < this.vertexCount; v++)
      for (let j = 0; j < 3; j++) positions[3 * v + j]! += this.vd[v]! * normals[3 * v + j]!;
    return positions;
  }

  /** N_d's tangent frame on a mesh of the region: glTF tangents per render vertex, from that mesh's own normals and UVs. */
  tangentsOf(positions: Float32Array): Float32Array {
    return splitFrame(this.setup.split, positions, { modelTriangles: this.triangles, tangents: true }).tangents!;
  }

  /** A view of a mesh of the region (split for UVs) with the current detail normal map, as the renderer takes it. */
  private view(positions: Float32Array, camera: Camera, light: DirectionalLight, size: number, withMap: boolean, tangents?: Float32Array): [RenderMesh, RenderOptions] {
    const { split } = this.setup;
    return [
      { positions, triangles: split.triangles, uv: split.uv, source: split.source, tangents: withMap ? (tangents ?? this.tangentsOf(positions)) : undefined },
      { camera, width: size, height: size, light, albedo: ALBEDO, background: BACKGROUND, normalMap: withMap ? { data: this.nd, width: this.ndWidth, height: this.ndHeight } : null },
    ];
  }

  /**
   * Renders a mesh of the region (split for UVs) with the current detail normal map. The
   * tangent frame is computed from `positions` unless given.
   */
  renderView(positions: Float32Array, camera: Camera, light: DirectionalLight, size: number, withMap = true, tangents?: Float32Array): RenderResult {
    return render(...this.view(positions, camera, light, size, withMap, tangents));
  }

  /** T† = T(β) + V_d ⊙ n(T(β)) and the frame its render uses (`frozen` replaces it). */
  private carvedFrame(frozen?: CarveFrame): { carved: Float32Array; frame: CarveFrame } {
    const positions = synthesize(this.setup.model, { identity: this.beta, region: "dreamface" });
    const normals = frozen?.normals ?? vertexNormals(positions, this.triangles);
    const carved = positions;
    for (let v = 0; v < this.vertexCount; v++)
      for (let j = 0; j < 3; j++) carved[3 * v + j]! += this.vd[v]! * normals[3 * v + j]!;
    return { carved, frame: { normals, tangents: frozen?.tangents ?? this.tangentsOf(carved) } };
  }

  /**
   * The forward of one step: T† = T(β) + V_d ⊙ n(T(β)) and its render with N_d, the tangent
   * frame recomputed from T†. `frozen` replaces the frame (n and t) with given constants: the
   * finite-difference test holds them fixed exactly as `vjp` does. On this thread, one band.
   */
  renderCarved(camera: Camera, light: DirectionalLight, size: number, frozen?: CarveFrame): CarveForward {
    const { carved, frame } = this.carvedFrame(frozen);
    return { carved, frame, rendered: this.renderView(carved, camera, light, size, true, frame.tangents) };
  }

  /** dL/dT† → (V_d, β): gT·n per vertex and modesᵀ·gT (zero when refineShape is off). */
  toParameters(gT: Float32Array, normals: Float32Array): { vd: Float32Array; beta: Float32Array } {
    const vd = new Float32Array(this.vertexCount);
    for (let v = 0; v < this.vertexCount; v++)
      vd[v] = gT[3 * v]! * normals[3 * v]! + gT[3 * v + 1]! * normals[3 * v + 1]! + gT[3 * v + 2]! * normals[3 * v + 2]!;
    const beta = this.setup.config.refineShape
      ? synthesizeBackward(this.setup.model, gT, { identity: this.beta.length, expression: 0 }).identity
      : new Float32Array(this.beta.length);
    return { vd, beta };
  }

  /** The chain dL/dimage → dL/d(T†, V_d, N_d, β) of one render (the frame held constant; see the header). */
  vjp(fwd: CarveForward, gImage: Float32Array): CarveGrads {
    return this.chain(fwd, renderBackward(fwd.rendered, gImage, ["normalMap", "positions"]));
  }

  private chain(fwd: CarveForward, g: RenderGrads): CarveGrads {
    const positions = g.positions ?? new Float32Array(fwd.carved.length);
    const nd = g.normalMap ?? new Float32Array(this.nd.length);
    return { positions, nd, ...this.toParameters(positions, fwd.frame.normals) };
  }

  /** L_map of Eq. 7 per atlas tile (tiles are not neighbours across the atlas boundary), its gradient added into `grad`. */
  private normalMapLoss(grad: Float32Array, weight: number): { total: number; laplacian: number; gradient: number } {
    const n = this.setup.split.tiles, M = this.ndHeight;
    const tiles = splitTiles(this.nd, n, M, M, 3);
    const grads = splitTiles(grad, n, M, M, 3);
    const sum = { total: 0, laplacian: 0, gradient: 0 };
    tiles.forEach((tile, i) => {
      const l = normalMapLoss(tile, M, M, 3, grads[i], weight);
      sum.total += l.total; sum.laplacian += l.laplacian; sum.gradient += l.gradient;
    });
    grad.set(joinTiles(grads, M, M, 3));
    return sum;
  }

  get total(): number {
    return this.setup.config.steps;
  }

  /** One carving step; returns its trajectory row (deterministic: no wall-clock time). */
  async next(): Promise<CarveRow> {
    if (this.step >= this.total) throw new Error("carving already finished");
    const i = this.step;
    const { config, guide, seed, betaStar } = this.setup;
    const rng = Rng.derive(seed, "carve-step", i);
    const camera = sampleOrbitCamera(rng, { azimuthRange: config.azimuthRange });
    const light = sampleFrontLight(rng);
    const t = timestepAt({ kind: "uniform", min: config.tMin, max: config.tMax }, i, config.steps, rng, this.schedule.trainSteps);
    const lambdaSds = scheduleValue(config.lambdaSds, i);
    const lambdaShape = scheduleValue(config.lambdaShape, i);
    const lambdaGeo = scheduleValue(config.lambdaGeo, i);
    const lambdaMap = scheduleValue(config.lambdaMap, i);
    const guidance = scheduleValue(config.guidance, i);
    const lrVd = scheduleValue(config.lrDisplacement, i);
    const lrNd = scheduleValue(config.lrNormalMap, i);
    const lrBeta = scheduleValue(config.lrShape, i);

    // Forward: T† and its render (tangent frame from T†).
    const R = config.renderSize;
    const { carved, frame } = this.carvedFrame();
    // keepNormalFrame: the adjoint differentiates through the normals and reads the forward's frame.
    const [mesh, opts] = this.view(carved, camera, light, R, true, frame.tangents);
    const rendered = await this.renderer.render(mesh, { ...opts, keepNormalFrame: true });
    const fwd: CarveForward = { carved, frame, rendered };
    const x = toVaeInput(rendered.image, R, R, rendered.channels);

    // SDS in latent space (Eq. 6).
    const { latents, dims } = await guide.encode(x, R, R);
    const noise = rng.normals(latents.length);
    const noisy = addNoise(this.schedule, latents, noise, t);
    const eps = await guide.eps(noisy, dims, t, guidance);
    const sds = sdsGrad({ schedule: this.schedule, eps, noise, t, weighting: config.weighting });
    for (let k = 0; k < sds.grad.length; k++) sds.grad[k]! *= lambdaSds;
    const gx = await guide.encodeVjp(x, R, R, sds.grad);
    const gImage = fromVaeInputGrad(gx, R, R, rendered.channels);
    const gRender = this.chain(fwd, await this.renderer.renderBackward(rendered, gImage, ["normalMap", "positions"]));

    // dL/dT† from SDS plus L_geo; then onto V_d (along n) and β (through the identity modes).
    const gT = gRender.positions;
    const lossGeo = laplacianLoss(this.adjacency, carved, this.coarse, gT, lambdaGeo);
    const { vd: gVd, beta: gBeta } = this.toParameters(gT, fwd.frame.normals);
    const lossShape = shapeLoss(this.beta, betaStar, config.refineShape ? gBeta : undefined, lambdaShape);
    const gNd = gRender.nd;
    const map = this.normalMapLoss(gNd, lambdaMap);

    const row: CarveRow = {
      step: i,
      t,
      azimuth: camera.azimuth,
      light_x: light.direction[0],
      light_y: light.direction[1],
      light_z: light.direction[2],
      loss_sds: lambdaSds * sds.loss,
      loss_shape: lambdaShape * lossShape,
      loss_geo: lambdaGeo * lossGeo,
      loss_map: lambdaMap * map.total,
      loss_map_laplacian: lambdaMap * map.laplacian,
      loss_map_gradient: lambdaMap * map.gradient,
      sds_weight: sds.weight,
      grad_norm_latent: sds.gradNorm * lambdaSds,
      grad_norm_vd: l2norm(gVd),
      grad_norm_nd: l2norm(gNd),
      grad_norm_beta: l2norm(gBeta),
      lambda_sds: lambdaSds,
      lambda_shape: lambdaShape,
      lambda_geo: lambdaGeo,
      lambda_map: lambdaMap,
      guidance,
      lr_vd: lrVd,
      lr_nd: lrNd,
      lr_beta: lrBeta,
    };
    row.loss_total = row.loss_sds! + row.loss_shape! + row.loss_geo! + row.loss_map!;

    this.adamVd.step(this.vd, gVd, lrVd);
    const cap = config.maxDisplacement;
    for (let v = 0; v < this.vd.length; v++) this.vd[v] = Math.max(-cap, Math.min(cap, this.vd[v]!));
    this.adamNd.step(this.nd, gNd, lrNd);
    if (config.refineShape) this.adamBeta.step(this.beta, gBeta, lrBeta);
    row.vd_abs_max = this.vd.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    row.beta_drift = Math.sqrt(shapeLoss(this.beta, betaStar) * this.beta.length);
    this.step = i + 1;
    return row;
  }

  /** Everything a resumed run needs to continue bit-for-bit (copies: the caller may keep them). */
  state(): ResumableState {
    return {
      step: this.step,
      vd: this.vd.slice(), nd: this.nd.slice(), beta: this.beta.slice(),
      vdM: this.adamVd.state.m.slice(), vdV: this.adamVd.state.v.slice(), vdT: this.adamVd.state.step,
      ndM: this.adamNd.state.m.slice(), ndV: this.adamNd.state.v.slice(), ndT: this.adamNd.state.step,
      betaM: this.adamBeta.state.m.slice(), betaV: this.adamBeta.state.v.slice(), betaT: this.adamBeta.state.step,
    };
  }

  restore(state: ResumableState): void {
    const num = (k: string) => {
      const v = state[k];
      if (typeof v !== "number") throw new RestoreMismatchError(`"${k}" is missing`);
      return v;
    };
    // Validate everything before touching anything, so a mismatch leaves the system as it was.
    const arrays = { vd: this.vd, nd: this.nd, beta: this.beta, vdM: this.adamVd.state.m, vdV: this.adamVd.state.v, ndM: this.adamNd.state.m, ndV: this.adamNd.state.v, betaM: this.adamBeta.state.m, betaV: this.adamBeta.state.v };
    const restored = Object.entries(arrays).map(([k, target]) => [target, expectArray(state, k, Float32Array, target.length)] as const);
    const step = expectStep(state, this.total), vdT = num("vdT"), ndT = num("ndT"), betaT = num("betaT");
    for (const [target, v] of restored) target.set(v);
    this.adamVd.state.step = vdT;
    this.adamNd.state.step = ndT;
    this.adamBeta.state.step = betaT;
    this.step = step;
  }

  /** A fixed front view (frontal light) of the current carved mesh, and the normal map as RGB in [0, 1]. */
  snapshot(size = 256): { render: Float32Array; size: number; normalMapRgb: Float32Array; normalMapWidth: number; normalMapHeight: number } {
    const r = this.renderView(this.carved(), orbitCamera({ azimuth: 0 }), directionalLight(20, 20), size);
    return { render: r.image, size, normalMapRgb: normalMapToRgb(this.nd), normalMapWidth: this.ndWidth, normalMapHeight: this.ndHeight };
  }
}

/** Tangent-space vectors in [−1, 1] → the usual RGB encoding (normalized, n·0.5 + 0.5). */
export function normalMapToRgb(nd: Float32Array): Float32Array {
  const out = new Float32Array(nd.length);
  for (let i = 0; i < nd.length; i += 3) {
    const l = Math.hypot(nd[i]!, nd[i + 1]!, nd[i + 2]!) || 1;
    for (let j = 0; j < 3; j++) out[i + j] = Math.max(0, Math.min(1, (nd[i + j]! / l) * 0.5 + 0.5));
  }
  return out;
}
