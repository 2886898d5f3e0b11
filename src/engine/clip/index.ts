// CLIP helpers in one import: the BPE tokenizer, image preprocessing, embedding scores.
export * from "./tokenizer.js";
export * from "./preprocess.js";
export * from "./score.js";
export * from "./scoreImages.js";
