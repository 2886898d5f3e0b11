// @observablehq/inputs ships no types; this covers what our components use. Extend as needed.
declare module "@observablehq/inputs" {
  type InputElement<T> = HTMLElement & { value: T };
  interface Common { label?: string | Node; disabled?: boolean; width?: number }
  export function range(extent?: [number, number], options?: Common & { value?: number; step?: number; format?: (x: number) => string; placeholder?: string }): InputElement<number>;
  export function button(content?: string | [string, (value: unknown) => unknown][], options?: Common & { value?: unknown; reduce?: (value: unknown) => unknown }): InputElement<unknown>;
  export function toggle(options?: Common & { value?: boolean }): InputElement<boolean>;
  export function select<T>(data: Iterable<T>, options?: Common & { value?: T; multiple?: boolean; format?: (x: T) => string }): InputElement<T>;
  export function radio<T>(data: Iterable<T>, options?: Common & { value?: T; format?: (x: T) => string }): InputElement<T>;
  export function checkbox<T>(data: Iterable<T>, options?: Common & { value?: T[]; format?: (x: T) => string }): InputElement<T[]>;
  export function text(options?: Common & { value?: string; placeholder?: string; submit?: boolean | string }): InputElement<string>;
  export function form<T>(inputs: T, options?: { template?: (inputs: T) => HTMLElement }): InputElement<unknown>;
  export function table<T>(data: Iterable<T>, options?: Record<string, unknown>): InputElement<T[]>;
}
