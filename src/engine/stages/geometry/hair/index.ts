// Hair (paper Sec. 4.3): procedural styles, palette, artist-mesh fitting, CLIP selection.
export { SCALP_VERTEX_END, DEFAULT_HAIRLINE, headFrame, hairlineY, selectScalp, type HeadMesh, type HeadFrame, type Hairline, type Scalp } from "./scalp.js";
export { EMPTY_HAIR, SKIN_GAP, type HairMesh } from "./mesh.js";
export { PROCEDURAL_STYLES, buildStyle, buildAllStyles, styleByName, type ProceduralStyle } from "./styles.js";
export { HAIR_PALETTE, colourByName, srgbUnit, srgbToLinear, type HairColour } from "./palette.js";
export { headWithHair, SKIN_RGB } from "./composite.js";
export { boundingBox, hairProblem, fitHairToHead } from "./fit.js";
export { selectHair, renderHair, clipHairScorer, HAIR_LIGHT, type HairCandidate, type HairScorer, type HairScore, type HairSelection, type ScoredRenders, type SelectHairOptions } from "./select.js";
