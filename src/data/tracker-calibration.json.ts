// The committed tracker calibration (MediaPipe's measured response to each ICT expression), for
// the page's live fit. Built by data-loaders/animation/build-calibration.ts.
import { loadCalibration } from "../../data-loaders/animation/calibration.js";
import { calibrationToJson } from "../engine/stages/animation/calibration.js";

const calibration = loadCalibration();
if (!calibration) throw new Error("no tracker calibration: run npx tsx data-loaders/animation/build-calibration.ts");
process.stdout.write(JSON.stringify(calibrationToJson(calibration)));
