// Serves onnxruntime-web's wasm binary to pages (src/components/ortWebBackend.ts wasmPaths).
import { ortWasmBytes } from "../../../data-loaders/models/web-assets.js";

process.stdout.write(ortWasmBytes());
