/**
 * The renderer's public surface (nvdiffrast-like: rasterize, interpolate, texture, shade,
 * each with its adjoint; render/renderBackward compose them). Shapes and conventions are
 * documented at the top of each module; silhouette (antialias) gradients are not provided.
 */
export type { Camera, DirectionalLight, Mat4, RasterBuffer, Texture, TriangleMesh } from "./types.js";
export { perspectiveCamera, orbitCamera, rankingViews, sampleOrbitCamera, sampleFrontLight, directionalLight, rankingLights, lookAt, perspective, multiply, FACE_TARGET, FACE_DISTANCE, FACE_FOV_Y } from "./camera.js";
export { rasterize, rasterizeBackward, toClip, type Raster } from "./rasterize.js";
export { interpolate, interpolateBackward } from "./interpolate.js";
export { sampleTexture, sampleTextureBackward, type Wrap } from "./texture.js";
export { shadingNormals, shadingNormalsBackward, vertexBitangents, vertexBitangentsBackward } from "./normalmap.js";
export { shade, shadeBackward, shadeBackwardAlbedo, composite, noiseBackground, type Specular } from "./shade.js";
export { normalChainBackward, type NormalChainInputs, type NormalChainGrads } from "./normalChain.js";
export { vertexNormalsBackward } from "../face/normals.js";
export { render, renderBackward, renderViews, scatter, type RenderMesh, type RenderOptions, type RenderResult, type RenderGrads } from "./render.js";
export { rasterizeUV, uvMap, uvMapBackward, sampleToVertices, sampleToVerticesBackward, dilate, toRect, type UvRect } from "./uvraster.js";
export { ParallelRenderer, syncRenderer, stageRenderer, STAGE_BANDS, bandHandler, canShareMemory, type FrameRenderer, type BandWorker, type BandMessage, type ParallelRendererOptions } from "./parallel.js";
