// The carving region with all identity modes, for src/live.md's worker.
import { liveFaceModel } from "../../data-loaders/live/pages.js";

process.stdout.write(await liveFaceModel());
