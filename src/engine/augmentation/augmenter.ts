import { BOUNDS, describeBound, withinBound, type Bound } from "../contract.js";
import { SpecError } from "../errors.js";
import type { Prng } from "../random.js";
import type { AugmentationConfig, AugmentationName } from "../types.js";
import { flipImage, rotateImage, shiftImage } from "./image-transforms.js";

const FIELDS: readonly AugmentationName[] = ["horizontalFlip", "rotation", "shift", "noise"]; // the order they are applied in
const IMAGE_ONLY: readonly AugmentationName[] = ["horizontalFlip", "rotation", "shift"];

/**
 * Checks an augmentation config; with `inputShape`, also that the image
 * transforms get images. Errors point into /training/augmentation.
 */
export function checkAugmentation(config: AugmentationConfig | undefined, inputShape?: readonly number[]): void {
  if (config === undefined) return;
  const base = "/training/augmentation";
  if (config === null || typeof config !== "object" || Array.isArray(config)) throw new SpecError("augmentation must be an object", base);
  for (const key of Object.keys(config)) {
    if (!FIELDS.includes(key as AugmentationName)) throw new SpecError(`augmentation: unknown field "${key}"; expected ${FIELDS.join(", ")}`, `${base}/${key}`);
  }
  const { shift, horizontalFlip, rotation, noise } = config;
  const check = (value: unknown, bound: Bound, field: string, unit: string) => {
    if (value !== undefined && !withinBound(value, bound)) throw new SpecError(`augmentation.${field} must be ${describeBound(bound)} (${unit}), got ${JSON.stringify(value)}`, `${base}/${field}`);
  };
  check(shift, BOUNDS.shift, "shift", "pixels");
  if (horizontalFlip !== undefined && typeof horizontalFlip !== "boolean") throw new SpecError("augmentation.horizontalFlip must be a boolean", `${base}/horizontalFlip`);
  check(rotation, BOUNDS.rotation, "rotation", "degrees");
  check(noise, BOUNDS.noise, "noise", "a standard deviation");
  if (inputShape === undefined || inputShape.length === 3) return;
  for (const name of IMAGE_ONLY) {
    if (isActive(config, name)) {
      throw new SpecError(`augmentation.${name} needs image data (inputShape [height, width, channels]); the model's inputShape is [${inputShape.join(", ")}]. Tabular data takes noise only`, `${base}/${name}`);
    }
  }
}

function isActive(config: AugmentationConfig, name: AugmentationName): boolean {
  const value = config[name];
  return value === true || (typeof value === "number" && value > 0);
}

/** The transforms a config turns on, in the order they are applied. */
export function activeAugmentations(config: AugmentationConfig | undefined): AugmentationName[] {
  return config === undefined ? [] : FIELDS.filter((name) => isActive(config, name));
}

/**
 * Applies the configured transforms to a training batch in place, sample by
 * sample, drawing from the training PRNG (so a seed gives the same batches,
 * and a checkpoint's PRNG state resumes them). Per sample it draws, in order:
 * flip (one float), angle (one float), dy then dx (one integer each), then one
 * normal per value for noise. The last batch's draws are kept in `drawn`.
 */
export class Augmenter {
  readonly active: AugmentationName[];
  /** Per row of the last batch: flipped (0/1), angle (radians), dy, dx. */
  readonly drawn: { flipped: Uint8Array; radians: Float64Array; dy: Int32Array; dx: Int32Array };
  private readonly scratch: Float32Array;
  private readonly height: number;
  private readonly width: number;
  private readonly channels: number;
  private readonly sampleSize: number;

  constructor(
    private readonly config: AugmentationConfig,
    inputShape: readonly number[],
    maxRows: number,
  ) {
    checkAugmentation(config, inputShape);
    this.active = activeAugmentations(config);
    this.sampleSize = inputShape.reduce((a, b) => a * b, 1);
    [this.height, this.width, this.channels] = inputShape.length === 3 ? inputShape : [1, this.sampleSize, 1];
    this.scratch = new Float32Array(this.sampleSize);
    this.drawn = { flipped: new Uint8Array(maxRows), radians: new Float64Array(maxRows), dy: new Int32Array(maxRows), dx: new Int32Array(maxRows) };
  }

  apply(batch: Float32Array, rows: number, rng: Prng): void {
    if (this.active.length === 0) return;
    const { height, width, channels, sampleSize, scratch, drawn } = this;
    const shift = isActive(this.config, "shift") ? this.config.shift! : 0;
    const rotation = isActive(this.config, "rotation") ? (this.config.rotation! * Math.PI) / 180 : 0;
    const flip = this.config.horizontalFlip === true;
    const noise = this.config.noise ?? 0;
    for (let r = 0; r < rows; r++) {
      const at = r * sampleSize;
      drawn.flipped[r] = flip && rng.nextFloat() < 0.5 ? 1 : 0;
      drawn.radians[r] = rotation > 0 ? (2 * rng.nextFloat() - 1) * rotation : 0;
      drawn.dy[r] = shift > 0 ? rng.nextInt(2 * shift + 1) - shift : 0;
      drawn.dx[r] = shift > 0 ? rng.nextInt(2 * shift + 1) - shift : 0;
      // Each transform goes batch -> scratch, then the result is copied back.
      if (drawn.flipped[r] === 1) {
        flipImage(batch, at, scratch, 0, height, width, channels);
        batch.set(scratch, at);
      }
      if (drawn.radians[r] !== 0) {
        rotateImage(batch, at, scratch, 0, height, width, channels, drawn.radians[r]);
        batch.set(scratch, at);
      }
      if (drawn.dy[r] !== 0 || drawn.dx[r] !== 0) {
        shiftImage(batch, at, scratch, 0, height, width, channels, drawn.dy[r], drawn.dx[r]);
        batch.set(scratch, at);
      }
      if (noise > 0) for (let i = at; i < at + sampleSize; i++) batch[i] += noise * rng.nextNormal();
    }
  }
}
