import { f32, f32x4, forFloats, forRange, get, i32, i32x4, select, set, v128, when, type Code, type Local } from "./emitter/code.js";
import type { FunctionBuilder, ModuleBuilder } from "./emitter/module.js";

/**
 * Kernels over NHWC images, the same loops as their TypeScript twins
 * (ops/conv2d.ts, ops/max-pool2d.ts) in the same order, with runs of
 * contiguous values (a kernel row's kw x channels; 4 channels of a pooling
 * window) moved four at a time. Results equal the TypeScript ones bit for bit.
 *
 * Window arguments, in this order after the kernel's addresses: batch,
 * inHeight, inWidth, channels, kernelHeight, kernelWidth, strideHeight,
 * strideWidth, outHeight, outWidth, padTop, padLeft (ops/window2d.ts).
 */
export const WINDOW_ARGUMENTS = ["batch", "inHeight", "inWidth", "channels", "kernelHeight", "kernelWidth", "strideHeight", "strideWidth", "outHeight", "outWidth", "padTop", "padLeft"] as const;
type WindowLocals = Record<(typeof WINDOW_ARGUMENTS)[number], Local>;

export function addImageKernels(module: ModuleBuilder): void {
  columns(module, "im2col");
  columns(module, "col2im_add");
  maxPoolForward(module);
  maxPoolBackward(module);
}

function windowFunction(module: ModuleBuilder, name: string, addresses: string[]): { f: FunctionBuilder; w: WindowLocals; address: Local[] } {
  const params: Record<string, "i32"> = {};
  for (const a of addresses) params[a] = "i32";
  for (const a of WINDOW_ARGUMENTS) params[a] = "i32";
  const f = module.func(name, params);
  const w = Object.fromEntries(WINDOW_ARGUMENTS.map((a) => [a, f.param(a)])) as WindowLocals;
  return { f, w, address: addresses.map((a) => f.param(a)) };
}

const bytes = (elements: Code): Code => i32.shl(elements, i32.const(2));

/**
 * im2col(x, cols, window...): one row of cols per output position, its
 * receptive field (zeros in the padding); col2im_add(cols, dx, window...): the
 * adjoint, adding each row back onto the positions it was copied from.
 */
function columns(module: ModuleBuilder, name: "im2col" | "col2im_add"): void {
  const adding = name === "col2im_add";
  const { f, w, address } = windowFunction(module, name, adding ? ["cols", "image"] : ["image", "cols"]);
  const [image, cols] = adding ? [address[1], address[0]] : address;
  const [n, oy, ox, ky, kx, c, i] = ["n", "oy", "ox", "ky", "kx", "c", "i"].map((v) => f.local("i32", v));
  const [span, depth, rowStride, imageStart, y0, x0, iy, ix, row, to, source, inside] =
    ["span", "depth", "rowStride", "imageStart", "y0", "x0", "iy", "ix", "row", "to", "source", "inside"].map((v) => f.local("i32", v));
  const xAt = (offset: Code): Code => i32.add(get(image), i32.add(get(source), offset)); // byte address in the image
  const colAt = (offset: Code): Code => i32.add(get(to), offset);
  const run: Code = adding
    ? forFloats(i, get(span), (o) => [v128.store(xAt(o), f32x4.add(v128.load(xAt(o)), v128.load(colAt(o))))], (o) => [f32.store(xAt(o), f32.add(f32.load(xAt(o)), f32.load(colAt(o))))])
    : forFloats(i, get(span), (o) => [v128.store(colAt(o), v128.load(xAt(o)))], (o) => [f32.store(colAt(o), f32.load(xAt(o)))]);
  const element = (): Code => bytes(i32.add(i32.mul(get(kx), get(w.channels)), get(c)));
  const edge: Code = forRange(kx, i32.const(0), get(w.kernelWidth), 1,
    set(ix, i32.add(get(x0), get(kx))),
    adding
      ? when(i32.and(i32.geS(get(ix), i32.const(0)), i32.ltS(get(ix), get(w.inWidth))), [
          forRange(c, i32.const(0), get(w.channels), 1, f32.store(xAt(element()), f32.add(f32.load(xAt(element())), f32.load(colAt(element()))))),
        ])
      : when(i32.and(i32.geS(get(ix), i32.const(0)), i32.ltS(get(ix), get(w.inWidth))), [
          forRange(c, i32.const(0), get(w.channels), 1, f32.store(colAt(element()), f32.load(xAt(element())))),
        ], [
          forRange(c, i32.const(0), get(w.channels), 1, f32.store(colAt(element()), f32.const(0))),
        ]),
  );
  const outsideRows: Code = adding ? [] : forFloats(i, get(span), (o) => [v128.store(colAt(o), v128.zero())], (o) => [f32.store(colAt(o), f32.const(0))]);
  f.define(
    set(span, i32.mul(get(w.kernelWidth), get(w.channels))),
    set(depth, i32.mul(get(w.kernelHeight), get(span))),
    set(rowStride, i32.mul(get(w.inWidth), get(w.channels))),
    set(row, get(cols)),
    forRange(n, i32.const(0), get(w.batch), 1,
      set(imageStart, i32.mul(i32.mul(get(n), get(w.inHeight)), get(rowStride))),
      forRange(oy, i32.const(0), get(w.outHeight), 1,
        set(y0, i32.sub(i32.mul(get(oy), get(w.strideHeight)), get(w.padTop))),
        forRange(ox, i32.const(0), get(w.outWidth), 1,
          set(x0, i32.sub(i32.mul(get(ox), get(w.strideWidth)), get(w.padLeft))),
          set(inside, i32.and(i32.geS(get(x0), i32.const(0)), i32.leS(i32.add(get(x0), get(w.kernelWidth)), get(w.inWidth)))),
          forRange(ky, i32.const(0), get(w.kernelHeight), 1,
            set(iy, i32.add(get(y0), get(ky))),
            set(to, i32.add(get(row), bytes(i32.mul(get(ky), get(span))))),
            when(i32.or(i32.ltS(get(iy), i32.const(0)), i32.geS(get(iy), get(w.inHeight))), [outsideRows], [
              set(source, bytes(i32.add(get(imageStart), i32.add(i32.mul(get(iy), get(rowStride)), i32.mul(get(x0), get(w.channels)))))),
              when(get(inside), [run], [edge]),
            ]),
          ),
          set(row, i32.add(get(row), bytes(get(depth)))),
        ),
      ),
    ),
  );
}

/**
 * maxpool_forward(x, y, winners, window...): each output the largest value
 * of its window (inside the image), per channel, the first one on ties;
 * winners[o] = the element index in x it came from. Four channels at a time
 * when channels is a multiple of 4.
 */
function maxPoolForward(module: ModuleBuilder): void {
  const { f, w, address } = windowFunction(module, "maxpool_forward", ["x", "y", "winners"]);
  const [x, y, winners] = address;
  const [n, oy, ox, c, iy, ix, imageStart, yFirst, yEnd, xFirst, xEnd, o, at, winner] =
    ["n", "oy", "ox", "c", "iy", "ix", "imageStart", "yFirst", "yEnd", "xFirst", "xEnd", "o", "at", "winner"].map((v) => f.local("i32", v));
  const best = f.local("f32", "best");
  const value = f.local("f32", "value");
  const [bestV, winnerV, valueV, mask] = ["bestV", "winnerV", "valueV", "mask"].map((v) => f.local("v128", v));
  const max = (p: Code, q: Code): Code => select(p, q, i32.gtS(p, q));
  const min = (p: Code, q: Code): Code => select(p, q, i32.ltS(p, q));
  const firstAt = (): Code => i32.add(get(imageStart), i32.add(i32.mul(i32.add(i32.mul(get(yFirst), get(w.inWidth)), get(xFirst)), get(w.channels)), get(c)));
  const rowAt = (): Code => i32.add(get(imageStart), i32.add(i32.mul(i32.add(i32.mul(get(iy), get(w.inWidth)), get(xFirst)), get(w.channels)), get(c)));
  const scan = (body: Code[]): Code =>
    forRange(iy, get(yFirst), get(yEnd), 1,
      set(at, rowAt()),
      forRange(ix, get(xFirst), get(xEnd), 1, ...body, set(at, i32.add(get(at), get(w.channels)))),
    );
  const scalarChannel: Code[] = [
    set(winner, firstAt()),
    set(best, f32.load(i32.add(get(x), bytes(get(winner))))),
    scan([
      set(value, f32.load(i32.add(get(x), bytes(get(at))))),
      when(f32.gt(get(value), get(best)), [set(best, get(value)), set(winner, get(at))]),
    ]),
    f32.store(i32.add(get(y), bytes(i32.add(get(o), get(c)))), get(best)),
    i32.store(i32.add(get(winners), bytes(i32.add(get(o), get(c)))), get(winner)),
  ];
  const vectorChannels: Code[] = [
    set(winnerV, i32x4.add(i32x4.splat(firstAt()), i32x4.lanes())),
    set(bestV, v128.load(i32.add(get(x), bytes(firstAt())))),
    scan([
      set(valueV, v128.load(i32.add(get(x), bytes(get(at))))),
      set(mask, f32x4.gt(get(valueV), get(bestV))),
      set(bestV, v128.bitselect(get(valueV), get(bestV), get(mask))),
      set(winnerV, v128.bitselect(i32x4.add(i32x4.splat(get(at)), i32x4.lanes()), get(winnerV), get(mask))),
    ]),
    v128.store(i32.add(get(y), bytes(i32.add(get(o), get(c)))), get(bestV)),
    v128.store(i32.add(get(winners), bytes(i32.add(get(o), get(c)))), get(winnerV)),
  ];
  f.define(
    set(o, i32.const(0)),
    forRange(n, i32.const(0), get(w.batch), 1,
      set(imageStart, i32.mul(i32.mul(i32.mul(get(n), get(w.inHeight)), get(w.inWidth)), get(w.channels))),
      forRange(oy, i32.const(0), get(w.outHeight), 1,
        set(yFirst, max(i32.const(0), i32.sub(i32.mul(get(oy), get(w.strideHeight)), get(w.padTop)))),
        set(yEnd, min(get(w.inHeight), i32.add(i32.sub(i32.mul(get(oy), get(w.strideHeight)), get(w.padTop)), get(w.kernelHeight)))),
        forRange(ox, i32.const(0), get(w.outWidth), 1,
          set(xFirst, max(i32.const(0), i32.sub(i32.mul(get(ox), get(w.strideWidth)), get(w.padLeft)))),
          set(xEnd, min(get(w.inWidth), i32.add(i32.sub(i32.mul(get(ox), get(w.strideWidth)), get(w.padLeft)), get(w.kernelWidth)))),
          when(i32.eqz(i32.and(get(w.channels), i32.const(3))), [forRange(c, i32.const(0), get(w.channels), 4, ...vectorChannels)], [forRange(c, i32.const(0), get(w.channels), 1, ...scalarChannel)]),
          set(o, i32.add(get(o), get(w.channels))),
        ),
      ),
    ),
  );
}

/** maxpool_backward(g, winners, dx, count): dx[winners[i]] += g[i], in order. */
function maxPoolBackward(module: ModuleBuilder): void {
  const f = module.func("maxpool_backward", { g: "i32", winners: "i32", dx: "i32", count: "i32" });
  const [g, winners, dx, count] = ["g", "winners", "dx", "count"].map((p) => f.param(p));
  const i = f.local("i32", "i");
  const target = f.local("i32", "target");
  f.define(
    forRange(i, i32.const(0), get(count), 1,
      set(target, i32.add(get(dx), bytes(i32.load(i32.add(get(winners), bytes(get(i))))))),
      f32.store(get(target), f32.add(f32.load(get(target)), f32.load(i32.add(get(g), bytes(get(i)))))),
    ),
  );
}
