// CLIP's BPE merges, so pages tokenise prompts with the engine's tokenizer.
import { liveMerges } from "../../data-loaders/live/pages.js";

process.stdout.write(liveMerges());
