// One tiny-profile model per role (FileAttachment("data/models/tiny/unet.onnx") etc.).
import { parseArgs } from "node:util";
import { tinyModelBytes } from "../../../../data-loaders/models/web-assets.js";

const { values } = parseArgs({ options: { role: { type: "string" } } });
if (!values.role) throw new Error("usage: --role=<role>");
process.stdout.write(await tinyModelBytes(values.role));
