/**
 * The image transforms of data augmentation, on one NHWC image at a time
 * (height x width x channels, row-major). Each writes `to` from `from`; the
 * two never alias. Pixels that come from outside the image are 0.
 */

/** to[y][x] = from[y - dy][x - dx]: the content moves dy rows down and dx columns right. */
export function shiftImage(from: Float32Array, fromAt: number, to: Float32Array, toAt: number, height: number, width: number, channels: number, dy: number, dx: number): void {
  const rowValues = width * channels;
  for (let y = 0; y < height; y++) {
    const sy = y - dy;
    const out = toAt + y * rowValues;
    if (sy < 0 || sy >= height) {
      to.fill(0, out, out + rowValues);
      continue;
    }
    const src = fromAt + sy * rowValues;
    for (let x = 0; x < width; x++) {
      const sx = x - dx;
      const o = out + x * channels;
      if (sx < 0 || sx >= width) for (let c = 0; c < channels; c++) to[o + c] = 0;
      else for (let c = 0; c < channels; c++) to[o + c] = from[src + sx * channels + c];
    }
  }
}

/** to[y][x] = from[y][width - 1 - x]. */
export function flipImage(from: Float32Array, fromAt: number, to: Float32Array, toAt: number, height: number, width: number, channels: number): void {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = toAt + (y * width + x) * channels;
      const i = fromAt + (y * width + width - 1 - x) * channels;
      for (let c = 0; c < channels; c++) to[o + c] = from[i + c];
    }
  }
}

/**
 * Rotation by `radians` (clockwise on screen, y pointing down) about
 * the image centre: each output pixel samples the input at the inversely
 * rotated position, bilinearly, with zeros outside.
 */
export function rotateImage(from: Float32Array, fromAt: number, to: Float32Array, toAt: number, height: number, width: number, channels: number, radians: number): void {
  const cos = Math.cos(radians);
  const sin = Math.sin(radians);
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  const at = (y: number, x: number, c: number): number => (y < 0 || y >= height || x < 0 || x >= width ? 0 : from[fromAt + (y * width + x) * channels + c]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sy = cy + (y - cy) * cos - (x - cx) * sin;
      const sx = cx + (y - cy) * sin + (x - cx) * cos;
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const fy = sy - y0;
      const fx = sx - x0;
      const o = toAt + (y * width + x) * channels;
      for (let c = 0; c < channels; c++) {
        const top = at(y0, x0, c) * (1 - fx) + at(y0, x0 + 1, c) * fx;
        const bottom = at(y0 + 1, x0, c) * (1 - fx) + at(y0 + 1, x0 + 1, c) * fx;
        to[o + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
}
