// Run plumbing shared by every stage: folders, manifests, checkpoints, trajectories, progress.
export { claimRunDir, createRunDir, newRunId } from "./run-dir.js";
export { lockRunDir, LOCK_FILE } from "./lock.js";
export { loadExperiment, readExperimentFile, type ExperimentOverrides } from "./experiment.js";
export { writeManifest, readManifest, profileLabel, TINY_LABEL, type Manifest } from "./manifest.js";
export { Checkpointer, encodeCheckpoint, decodeCheckpoint, type CheckpointState, type CheckpointValue } from "./checkpoint.js";
export { TrajectoryLog, rowsToParquet, type TrajectoryRow } from "./trajectory.js";
export { progress, type Progress } from "./progress.js";
export { runLoop, type LoopOptions, type LoopResult } from "./loop.js";
