// Number flags shared by the CLI commands: commander hands over strings, and a bad value must
// stop the command with a UserError naming the flag (exit 2), before any work starts.
import { UserError } from "./errors.js";

function integerKind(min: number): string {
  return min === 0 ? "a non-negative integer" : min === 1 ? "a positive integer" : `an integer ≥ ${min}`;
}

/** `--name` as an integer ≥ `min` (default 0); undefined when the flag was not given. */
export function intOption(name: string, v: number | string | undefined, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} must be ${integerKind(min)}, got "${v}"`);
  return n;
}

/** As {@link intOption}, but the flag must be present. */
export function requiredInt(name: string, v: number | string | undefined, min = 0): number {
  const n = intOption(name, v, min);
  if (n === undefined) throw new UserError(`--${name} is required`);
  return n;
}

/** `--name` as a finite number (≥ 0 when `nonNegative`); undefined when the flag was not given. */
export function numberOption(name: string, v: number | string | undefined, { nonNegative = false } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (nonNegative && n < 0)) throw new UserError(`--${name} must be a ${nonNegative ? "non-negative " : ""}number, got "${v}"`);
  return n;
}

/** `--name` as one of `values` (a config enum's options); undefined when the flag was not given. */
export function oneOf<T extends string>(name: string, v: string | undefined, values: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) throw new UserError(`--${name} ${v}: must be one of ${values.join(", ")}`);
  return v as T;
}
