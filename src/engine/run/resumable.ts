// One interface for every long-running optimisation (carving, texture SDS, texture-LDM
// training, sweeps, animation, pool builds): the "system" half of threestudio's split. The
// runner in data-loaders/run/loop.ts is the "trainer" half: it owns checkpoints, the
// trajectory, progress, snapshots and stopping, so no stage re-implements them.
export type ResumableValue = Float32Array | Float64Array | Int32Array | Uint32Array | number | string | boolean | number[] | null;
export type ResumableState = Record<string, ResumableValue>;
/** One trajectory row per step; must carry the step it completed as `step` (0-based). */
export type StepRow = Record<string, number | string | null>;

export interface Resumable {
  /** Steps this system runs in total. */
  readonly total: number;
  /** Steps completed so far (0 before the first). */
  readonly step: number;
  /** Runs one step and returns its trajectory row. */
  next(): Promise<StepRow>;
  /** Everything needed to continue bit-exactly from `step`. */
  state(): ResumableState;
  /** Restores a state produced by `state()`; throws a named error if it does not fit this system. */
  restore(state: ResumableState): void;
}

/** Thrown by `restore` when a checkpoint does not belong to this system (other config, other sizes). */
export class RestoreMismatchError extends Error {
  constructor(what: string) {
    super(`checkpoint does not match this run: ${what}`);
    this.name = "RestoreMismatchError";
  }
}

/** Checks that a restored array has the expected type and length. */
export function expectArray<T extends Float32Array | Float64Array | Int32Array | Uint32Array>(
  state: ResumableState,
  key: string,
  ctor: { new (n: number): T; name: string },
  length?: number,
): T {
  const v = state[key];
  if (!(v instanceof (ctor as unknown as typeof Float32Array))) throw new RestoreMismatchError(`"${key}" is not a ${ctor.name}`);
  if (length !== undefined && v.length !== length) throw new RestoreMismatchError(`"${key}" has ${v.length} values, expected ${length}`);
  return v as unknown as T;
}

/** Checks that a restored `step` is an integer in 0..total. */
export function expectStep(state: ResumableState, total: number, key = "step"): number {
  const v = state[key];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > total) throw new RestoreMismatchError(`"${key}" is ${JSON.stringify(v)}, expected an integer in 0..${total}`);
  return v;
}

/**
 * A fixed list of items run one per step (the ablation's variants, a pool shard's chunks): the
 * work of an item lives in its own files, so the state is the step and the list that defines it.
 */
export class StepList<T> implements Resumable {
  step = 0;
  readonly total: number;
  constructor(
    private readonly items: readonly T[],
    private readonly run: (item: T) => Promise<StepRow>,
    /** What a row calls the item, e.g. "variant". */
    private readonly name: string,
  ) {
    this.total = items.length;
  }

  async next(): Promise<StepRow> {
    const item = this.items[this.step]!;
    const row = await this.run(item);
    return { step: this.step++, [this.name]: item as string | number, ...row };
  }

  state(): ResumableState {
    return { step: this.step, items: JSON.stringify(this.items) };
  }

  restore(state: ResumableState): void {
    if (state.items !== JSON.stringify(this.items)) throw new RestoreMismatchError(`it ran the ${this.name}s ${String(state.items)}, not ${JSON.stringify(this.items)}`);
    this.step = expectStep(state, this.total);
  }
}
