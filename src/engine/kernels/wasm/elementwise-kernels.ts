import { f32, f32x4, forFloats, forRange, get, i32, select, set, v128, type Code, type Local } from "./emitter/code.js";
import type { ModuleBuilder } from "./emitter/module.js";

/**
 * Element-wise kernels of the backward pass, four floats at a time. Each
 * computes what its TypeScript twin does, element by element in the same
 * order, so the two paths agree bit for bit here.
 */
export function addElementwiseKernels(module: ModuleBuilder): void {
  reluBackward(module);
  addInto(module);
  columnSumsInto(module);
}

const at = (base: Local, offset: Code): Code => i32.add(get(base), offset);

/** relu_backward(y, dy, dz, count): dz = y > 0 ? dy : 0. */
function reluBackward(module: ModuleBuilder): void {
  const f = module.func("relu_backward", { y: "i32", dy: "i32", dz: "i32", count: "i32" });
  const [y, dy, dz, count] = ["y", "dy", "dz", "count"].map((p) => f.param(p));
  const i = f.local("i32", "i");
  f.define(
    forFloats(i, get(count),
      (o) => [v128.store(at(dz, o), v128.and(v128.load(at(dy, o)), f32x4.gt(v128.load(at(y, o)), v128.zero())))],
      (o) => [f32.store(at(dz, o), select(f32.load(at(dy, o)), f32.const(0), f32.gt(f32.load(at(y, o)), f32.const(0))))],
    ),
  );
}

/** add_into(dst, src, count): dst += src. */
function addInto(module: ModuleBuilder): void {
  const f = module.func("add_into", { dst: "i32", src: "i32", count: "i32" });
  const [dst, src, count] = ["dst", "src", "count"].map((p) => f.param(p));
  const i = f.local("i32", "i");
  f.define(
    forFloats(i, get(count),
      (o) => [v128.store(at(dst, o), f32x4.add(v128.load(at(dst, o)), v128.load(at(src, o))))],
      (o) => [f32.store(at(dst, o), f32.add(f32.load(at(dst, o)), f32.load(at(src, o))))],
    ),
  );
}

/** column_sums_into(values, into, rows, cols): into[j] += values[r][j], row after row (a bias gradient). */
function columnSumsInto(module: ModuleBuilder): void {
  const f = module.func("column_sums_into", { values: "i32", into: "i32", rows: "i32", cols: "i32" });
  const [values, into, rows, cols] = ["values", "into", "rows", "cols"].map((p) => f.param(p));
  const r = f.local("i32", "r");
  const j = f.local("i32", "j");
  const row = f.local("i32", "row");
  f.define(
    set(row, get(values)),
    forRange(r, i32.const(0), get(rows), 1,
      forFloats(j, get(cols),
        (o) => [v128.store(at(into, o), f32x4.add(v128.load(at(into, o)), v128.load(at(row, o))))],
        (o) => [f32.store(at(into, o), f32.add(f32.load(at(into, o)), f32.load(at(row, o))))],
      ),
      set(row, i32.add(get(row), i32.shl(get(cols), i32.const(2)))),
    ),
  );
}
