// The DreamFace region of the ICT face model with the first 10 identity modes and all 53
// expressions, in the engine's binary format, for src/face.md to decode in the browser.
import { loadFaceModel } from "../../data-loaders/face/load.js";
import { encodeFaceModel } from "../engine/face/binary.js";

const model = await loadFaceModel();
process.stdout.write(encodeFaceModel(model, { region: "dreamface", identityCount: 10, expressions: true }));
