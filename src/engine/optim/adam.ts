/**
 * Adam on one flat Float32Array parameter group. The state (moments and step count) is
 * plain typed arrays so a checkpoint can save it and a resumed run continues bit-for-bit.
 */
export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
}

export interface AdamState {
  step: number;
  m: Float32Array;
  v: Float32Array;
}

export class Adam {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  state: AdamState;

  constructor(size: number, { beta1 = 0.9, beta2 = 0.999, eps = 1e-8 }: AdamOptions = {}) {
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
    this.state = { step: 0, m: new Float32Array(size), v: new Float32Array(size) };
  }

  /** One update of `params` in place from `grad`, with learning rate `lr` (may follow a schedule). */
  step(params: Float32Array, grad: Float32Array, lr: number): void {
    const { m, v } = this.state;
    if (params.length !== m.length || grad.length !== m.length)
      throw new Error(`Adam: expected ${m.length} parameters, got params ${params.length}, grad ${grad.length}`);
    const t = ++this.state.step;
    const b1 = this.beta1, b2 = this.beta2;
    const c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
    for (let i = 0; i < params.length; i++) {
      const g = grad[i]!;
      const mi = (m[i] = b1 * m[i]! + (1 - b1) * g);
      const vi = (v[i] = b2 * v[i]! + (1 - b2) * g * g);
      params[i]! -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + this.eps);
    }
  }
}
