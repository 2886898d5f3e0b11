/**
 * One-Euro filter (Casiez et al., CHI 2012) over a vector signal: an exponential smoother whose
 * cutoff rises with speed, so still faces stop jittering while fast expressions keep little lag.
 */
export interface OneEuroOptions {
  /** Cutoff (Hz) when the signal is still; lower = smoother. */
  minCutoff?: number;
  /** How fast the cutoff grows with speed. */
  beta?: number;
  /** Cutoff (Hz) for the derivative estimate. */
  derivativeCutoff?: number;
}

export class OneEuroFilter {
  private readonly minCutoff: number;
  private readonly beta: number;
  private readonly dCutoff: number;
  private x: Float64Array | undefined;
  private dx: Float64Array | undefined;
  private lastTime = 0;

  constructor({ minCutoff = 1.5, beta = 0.5, derivativeCutoff = 1 }: OneEuroOptions = {}) {
    this.minCutoff = minCutoff;
    this.beta = beta;
    this.dCutoff = derivativeCutoff;
  }

  /** Filters `value` observed at `time` seconds; returns the smoothed copy. */
  filter(value: ArrayLike<number>, time: number): Float64Array {
    if (!this.x || !this.dx || time <= this.lastTime) {
      // First sample (or a time reset): nothing to smooth against.
      this.x = Float64Array.from(value);
      this.dx = new Float64Array(value.length);
      this.lastTime = time;
      return Float64Array.from(this.x);
    }
    const dt = time - this.lastTime;
    this.lastTime = time;
    const aD = alpha(this.dCutoff, dt);
    for (let k = 0; k < value.length; k++) {
      const rawD = (value[k]! - this.x[k]!) / dt;
      this.dx[k] = this.dx[k]! + aD * (rawD - this.dx[k]!);
      const a = alpha(this.minCutoff + this.beta * Math.abs(this.dx[k]!), dt);
      this.x[k] = this.x[k]! + a * (value[k]! - this.x[k]!);
    }
    return Float64Array.from(this.x);
  }
}

function alpha(cutoff: number, dt: number): number {
  const tau = 1 / (2 * Math.PI * cutoff);
  return 1 / (1 + tau / dt);
}
