/**
 * Shapes shared by the renderer and its callers (nvdiffrast's vocabulary: rasterize,
 * interpolate, texture, shade, and an adjoint for each). All arrays are flat, row-major,
 * image origin top-left, `H×W` pixels, channels last: an image is `[H*W*C]`.
 */

/** Column-major 4×4 matrices (as three.js and WebGL), Float32Array(16) or number[16]. */
export type Mat4 = Float32Array;

export interface Camera {
  /** World → clip, column-major. */
  readonly viewProjection: Mat4;
  readonly view: Mat4;
  /** Camera position in world space (for specular). */
  readonly eye: readonly [number, number, number];
}

export interface DirectionalLight {
  /** Unit vector from the surface towards the light, world space. */
  readonly direction: readonly [number, number, number];
  readonly intensity: number;
  /** Ambient term added to Lambert. */
  readonly ambient: number;
}

export interface TriangleMesh {
  readonly positions: Float32Array; // [V*3]
  readonly triangles: Uint32Array; // [T*3]
  readonly uv?: Float32Array; // [V*2], OBJ convention (v up); required for texturing
}

/** Output of rasterization: which triangle covers each pixel and where. */
export interface RasterBuffer {
  readonly width: number;
  readonly height: number;
  /** Triangle index + 1 per pixel; 0 = background. `[H*W]` */
  readonly triangleId: Int32Array;
  /** Perspective-correct barycentrics (b1, b2); b0 = 1 − b1 − b2. `[H*W*2]` */
  readonly bary: Float32Array;
  /** NDC depth (for tests and compositing). `[H*W]` */
  readonly depth: Float32Array;
}

/**
 * An image sampled by the renderer: a colour or latent texture, or a tangent-space normal map
 * (`[height*width*channels]`, row 0 = top). `channels` may be left out and is then
 * data.length / (width·height); a normal map must have 3.
 */
export interface Texture {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels?: number;
  readonly wrap?: "clamp" | "repeat";
}
