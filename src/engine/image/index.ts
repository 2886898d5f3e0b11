// Image helpers on flat float arrays: resampling, cropping, layouts and ranges.
export * from "./types.js";
export * from "./resize.js";
export * from "./crop.js";
export * from "./layout.js";
