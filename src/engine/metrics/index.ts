// Metrics: KID on features or on images through a backend.
export * from "./kid.js";
export * from "./features.js";
