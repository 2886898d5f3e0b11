/**
 * uvChecker({size, cells}): a canvas with a coloured checkerboard, numbered by cell, to inspect
 * a UV layout (seams, stretching, flips) in faceViewer: `viewer.setTexture(uvChecker())`.
 * Hue runs along u and lightness along v, so the orientation of every island is readable.
 */
export function uvChecker({ size = 512, cells = 8 }: { size?: number; cells?: number } = {}): HTMLCanvasElement {
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = size;
  const context = canvas.getContext("2d")!;
  const step = size / cells;
  context.font = `${Math.round(step / 4)}px sans-serif`;
  context.textAlign = "center";
  context.textBaseline = "middle";
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      const v = cells - 1 - row; // canvas row 0 is the top of the image, v = 1
      const dark = (row + col) % 2 === 0;
      context.fillStyle = `hsl(${(col / cells) * 300} 70% ${dark ? 35 + (v / cells) * 20 : 70 + (v / cells) * 20}%)`;
      context.fillRect(col * step, row * step, step, step);
      context.fillStyle = dark ? "#fff" : "#000";
      context.fillText(`${col},${v}`, (col + 0.5) * step, (row + 0.5) * step);
    }
  }
  return canvas;
}
