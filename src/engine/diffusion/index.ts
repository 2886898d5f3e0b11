// The diffusion core in one import: schedule, noising, guidance, DDIM, SDS, timestep schedules.
export * from "./schedule.js";
export * from "./noise.js";
export * from "./guidance.js";
export * from "./ddim.js";
export * from "./sds.js";
export * from "./timesteps.js";
