import { f32, f64, f64x2, forRange, get, i32, set, v128, type Code, type Local } from "./emitter/code.js";
import type { ModuleBuilder } from "./emitter/module.js";

/**
 * Optimizer updates in double precision, two values at a time (f64x2): the
 * same operations, in the same order and with the same roundings to float32
 * as the TypeScript loops of optimizers/ (JavaScript computes in doubles and
 * rounds on each store into a Float32Array), so both give the same bits.
 */
export function addOptimizerKernels(module: ModuleBuilder): void {
  adamUpdate(module);
}

/**
 * adam_update(w, g, m, v, count, beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, stepSize, decay), per element:
 *   m = f32(beta1 m + (1 - beta1) g);  v = f32(beta2 v + ((1 - beta2) g) g)
 *   w = f32(w - (stepSize (m / (sqrt(v) + epsilon)) + decay w))
 * as optimizers/adam.ts.
 */
function adamUpdate(module: ModuleBuilder): void {
  const f = module.func("adam_update", { w: "i32", g: "i32", m: "i32", v: "i32", count: "i32", beta1: "f64", oneMinusBeta1: "f64", beta2: "f64", oneMinusBeta2: "f64", epsilon: "f64", stepSize: "f64", decay: "f64" });
  const [w, g, m, v, count] = ["w", "g", "m", "v", "count"].map((p) => f.param(p));
  const [beta1, oneMinusBeta1, beta2, oneMinusBeta2, epsilon, stepSize, decay] = ["beta1", "oneMinusBeta1", "beta2", "oneMinusBeta2", "epsilon", "stepSize", "decay"].map((p) => f.param(p));
  const i = f.local("i32", "i");
  const pairs = f.local("i32", "pairs");
  const [gv, mv, vv, wv] = ["gv", "mv", "vv", "wv"].map((name) => f.local("v128", name));
  const [gs, ms, vs, ws] = ["gs", "ms", "vs", "ws"].map((name) => f.local("f64", name));
  const splat = (x: Local): Code => f64x2.splat(get(x));
  const at = (base: Local): Code => i32.add(get(base), i32.shl(get(i), i32.const(2)));
  // A float32 rounding and back, as a store into a Float32Array and the next read.
  const viaF32 = (x: Code): Code => f64x2.promoteLow(f64x2.demoteZero(x));
  f.define(
    set(pairs, i32.and(get(count), i32.const(~1))),
    forRange(i, i32.const(0), get(pairs), 2,
      set(gv, f64x2.promoteLow(v128.load64Zero(at(g)))),
      set(mv, viaF32(f64x2.add(f64x2.mul(splat(beta1), f64x2.promoteLow(v128.load64Zero(at(m)))), f64x2.mul(splat(oneMinusBeta1), get(gv))))),
      set(vv, viaF32(f64x2.add(f64x2.mul(splat(beta2), f64x2.promoteLow(v128.load64Zero(at(v)))), f64x2.mul(f64x2.mul(splat(oneMinusBeta2), get(gv)), get(gv))))),
      set(wv, f64x2.promoteLow(v128.load64Zero(at(w)))),
      set(wv, f64x2.sub(get(wv), f64x2.add(f64x2.mul(splat(stepSize), f64x2.div(get(mv), f64x2.add(f64x2.sqrt(get(vv)), splat(epsilon)))), f64x2.mul(splat(decay), get(wv))))),
      v128.store64Lane0(at(m), f64x2.demoteZero(get(mv))),
      v128.store64Lane0(at(v), f64x2.demoteZero(get(vv))),
      v128.store64Lane0(at(w), f64x2.demoteZero(get(wv))),
    ),
    forRange(i, get(pairs), get(count), 1,
      set(gs, f64.promoteF32(f32.load(at(g)))),
      set(ms, f64.promoteF32(f32.demoteF64(f64.add(f64.mul(get(beta1), f64.promoteF32(f32.load(at(m)))), f64.mul(get(oneMinusBeta1), get(gs)))))),
      set(vs, f64.promoteF32(f32.demoteF64(f64.add(f64.mul(get(beta2), f64.promoteF32(f32.load(at(v)))), f64.mul(f64.mul(get(oneMinusBeta2), get(gs)), get(gs)))))),
      set(ws, f64.promoteF32(f32.load(at(w)))),
      f32.store(at(m), f32.demoteF64(get(ms))),
      f32.store(at(v), f32.demoteF64(get(vs))),
      f32.store(at(w), f32.demoteF64(f64.sub(get(ws), f64.add(f64.mul(get(stepSize), f64.div(get(ms), f64.add(f64.sqrt(get(vs)), get(epsilon)))), f64.mul(get(decay), get(ws)))))),
    ),
  );
}
