// Observable Framework configuration for the DreamFace Workbench.
// Every library is imported by bare specifier from node_modules inside the pages (never
// `npm:` or the implicit Plot/d3/Inputs globals), so `npm run build` needs no network.
export default {
  title: "DreamFace Workbench",
  root: "src",
  output: "dist",
  footer: "DreamFace Workbench — a TypeScript reimplementation of DreamFace (Zhang et al., TOG 2023). Outputs of the tiny profile are test signals, not faces.",
};
