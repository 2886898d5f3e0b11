// Hair for a geometry run (paper Sec. 4.3): the implementation lives in hair-select.ts.
export * from "./hair-select.js";
