import { brIf, call, f32, f32x4, forRange, get, i32, increment, label, loop, select, set, tee, v128, when, type Code, type Local } from "./emitter/code.js";
import type { FunctionBuilder, ModuleBuilder } from "./emitter/module.js";

/**
 * The WebAssembly SIMD GEMM, C (m x n) = op(A) . op(B) (+ C) (+ bias) (relu),
 * laid out as in BLIS/Goto and XNNPACK's f32 GEMM micro-kernels for 128-bit
 * SIMD: a 4 x 8 tile of C lives in 8 f32x4 registers (4 rows x 2 vectors),
 * each depth step loads 8 values of op(B) (two vectors) and splats one value
 * of op(A) per row (v128.load32_splat), then 8 multiplies and 8 adds.
 * 4 x 8 measured fastest of 2x16, 3x8, 3x12, 4x8, 5x8, 6x8 here: 11 of the 16
 * xmm registers, where 6 x 8 (15) spills.
 *
 * Blocking: depth in blocks of KC, columns in blocks of NC, rows in blocks of
 * MC. op(B) is always packed into the workspace, in panels of 8 columns,
 * depth-major, zero padded (reading B in place was no faster, even at 32 rows).
 * op(A) is packed into panels of 4 rows, 4 values a step (A^T: one vector
 * copy a step; A: 4 x 4 transposes), except for a small depth, where A is read
 * in place four rows at a time, rows past its end reusing the last row (their
 * results are not stored), so no read leaves the operands.
 *
 * Every element of C is summed in the same order (depth 0, 1, ..., k - 1 in
 * float32, one mul and one add per step, blocks of KC added to C in turn), so
 * results do not depend on which tile, thread or part an element falls in.
 */
export const GEMM_TILE = { rows: 4, columns: 8 } as const;
// Up to this depth op(A) = A is read in place (k = 9 for a 3x3 convolution on one channel: 16 vs 12 GFLOP/s); past it, packed (36 vs 32 at 64x784x128).
const PACK_ROWS_MIN_DEPTH = 16;
export const GEMM_BLOCK = { depth: 256, rows: 128, columns: 1024 } as const;

/** Bits of the `flags` argument of `gemm`. */
export const GemmFlag = { transA: 1, transB: 2, accumulate: 4, bias: 8, relu: 16 } as const;

/** Bytes of workspace one call of `gemm` needs (per thread). */
export const GEMM_WORKSPACE_BYTES = 4 * (GEMM_BLOCK.rows * GEMM_BLOCK.depth + GEMM_BLOCK.depth * GEMM_BLOCK.columns) + 128;

// What a micro-kernel does with its tile after the depth loop.
const Epilogue = { loadC: 1, bias: 2, relu: 4 } as const;

const min = (x: Code, y: Code): Code => select(x, y, i32.ltS(x, y));
const bit = (flags: Local, mask: number): Code => i32.and(get(flags), i32.const(mask));

export function addGemmKernels(module: ModuleBuilder): void {
  const rowsKernel = microKernel(module, "gemm_tile_rows", "rows");
  const packedKernel = microKernel(module, "gemm_tile_packed", "packed");
  const packA = packTransposedA(module);
  const packRows = packRowsOfA(module);
  const packB = packPanelsOfB(module);
  driver(module, "gemm", rowsKernel, packedKernel, packA, packRows, packB);
  driver(module, "gemm_packed_b", rowsKernel, packedKernel, packA, packRows, null);
}

/**
 * One 4 x 8 tile over `kc` steps. A is read as four rows (`rows`: row r at
 * a + r * lda, advancing 4 bytes a step) or as a packed panel (4 values a
 * step); B is a packed panel, 8 values a step.
 */
function microKernel(module: ModuleBuilder, name: string, aLayout: "rows" | "packed"): FunctionBuilder {
  const f = module.func(name, { kc: "i32", a: "i32", lda: "i32", b: "i32", c: "i32", ldc: "i32", rows: "i32", cols: "i32", epilogue: "i32", bias: "i32", tile: "i32" }, [], true);
  const [kc, a, lda, b, c, ldc, rows, cols, epilogue, bias, tile] = ["kc", "a", "lda", "b", "c", "ldc", "rows", "cols", "epilogue", "bias", "tile"].map((p) => f.param(p));
  const { rows: MR, columns: NR } = GEMM_TILE;
  const vectors = NR / 4;
  const acc = Array.from({ length: MR * vectors }, (_, i) => f.local("v128", `acc${i}`));
  const bv = Array.from({ length: vectors }, (_, q) => f.local("v128", `b${q}`));
  const av = f.local("v128", "a");
  const steps = f.local("i32", "steps");
  const rowPointers = aLayout === "rows" ? Array.from({ length: MR }, (_, r) => f.local("i32", `a${r}`)) : [];
  const code: Code[] = [];

  if (aLayout === "rows") {
    // Rows past `rows` repeat the last real one: valid reads, results dropped.
    code.push(set(rowPointers[0], get(a)));
    for (let r = 1; r < MR; r++) code.push(set(rowPointers[r], select(i32.add(get(rowPointers[r - 1]), get(lda)), get(rowPointers[r - 1]), i32.gtS(get(rows), i32.const(r)))));
  }
  const step: Code[] = [];
  for (let q = 0; q < vectors; q++) step.push(set(bv[q], v128.load(get(b), q * 16)));
  for (let r = 0; r < MR; r++) {
    step.push(set(av, aLayout === "rows" ? v128.load32Splat(get(rowPointers[r])) : v128.load32Splat(get(a), r * 4)));
    for (let q = 0; q < vectors; q++) step.push(set(acc[r * vectors + q], f32x4.add(get(acc[r * vectors + q]), f32x4.mul(get(av), get(bv[q])))));
  }
  if (aLayout === "rows") for (const pointer of rowPointers) step.push(increment(pointer, i32.const(4)));
  else step.push(increment(a, i32.const(MR * 4)));
  step.push(increment(b, i32.const(NR * 4)));
  const depth = label("depth");
  code.push(set(steps, get(kc)), loop(depth, ...step, brIf(depth, tee(steps, i32.sub(get(steps), i32.const(1))))));
  f.define(...code, tileEpilogue(f, acc, { c, ldc, rows, cols, epilogue, bias, tile }));
  return f;
}

/** Writes the accumulated tile to C: (+ C) (+ bias) (relu), vector by vector when the tile is whole, else through `tile`. */
function tileEpilogue(f: FunctionBuilder, acc: Local[], p: { c: Local; ldc: Local; rows: Local; cols: Local; epilogue: Local; bias: Local; tile: Local }): Code {
  const { rows: MR, columns: NR } = GEMM_TILE;
  const vectors = NR / 4;
  const rowAddress = (r: number): Code => i32.add(get(p.c), i32.mul(get(p.ldc), i32.const(r)));
  const whole: Code[] = [];
  whole.push(when(bit(p.epilogue, Epilogue.loadC), acc.map((x, i) => set(x, f32x4.add(v128.load(rowAddress(Math.floor(i / vectors)), (i % vectors) * 16), get(x))))));
  const biasVectors = Array.from({ length: vectors }, (_, q) => f.local("v128", `bias${q}`));
  whole.push(
    when(bit(p.epilogue, Epilogue.bias), [
      ...biasVectors.map((bv, q) => set(bv, v128.load(get(p.bias), q * 16))),
      ...acc.map((x, i) => set(x, f32x4.add(get(x), get(biasVectors[i % vectors])))),
    ]),
  );
  whole.push(when(bit(p.epilogue, Epilogue.relu), acc.map((x) => set(x, f32x4.pmax(v128.zero(), get(x))))));
  acc.forEach((x, i) => whole.push(v128.store(rowAddress(Math.floor(i / vectors)), get(x), (i % vectors) * 16)));

  // A partial tile: spill it, then element by element with the same operations in the same order.
  const r = f.local("i32", "r");
  const j = f.local("i32", "j");
  const value = f.local("f32", "value");
  const cAddress = f.local("i32", "cAddress");
  const partial: Code[] = acc.map((x, i) => v128.store(get(p.tile), get(x), i * 16));
  partial.push(
    forRange(r, i32.const(0), get(p.rows), 1,
      forRange(j, i32.const(0), get(p.cols), 1,
        set(cAddress, i32.add(i32.add(get(p.c), i32.mul(get(r), get(p.ldc))), i32.shl(get(j), i32.const(2)))),
        set(value, f32.load(i32.add(get(p.tile), i32.add(i32.shl(get(r), i32.const(5)), i32.shl(get(j), i32.const(2)))))),
        when(bit(p.epilogue, Epilogue.loadC), [set(value, f32.add(f32.load(get(cAddress)), get(value)))]),
        when(bit(p.epilogue, Epilogue.bias), [set(value, f32.add(get(value), f32.load(i32.add(get(p.bias), i32.shl(get(j), i32.const(2))))))]),
        when(bit(p.epilogue, Epilogue.relu), [set(value, select(get(value), f32.const(0), f32.gt(get(value), f32.const(0))))]),
        f32.store(get(cAddress), get(value)),
      ),
    ),
  );
  const isWhole = i32.eqz(i32.or(i32.sub(get(p.rows), i32.const(MR)), i32.sub(get(p.cols), i32.const(NR))));
  return when(isWhole, whole, partial);
}

/** Packs rows i0 .. i0+mc, depth p0 .. p0+kc of op(A) = A^T (A stored k x m) into panels of 4 rows, 4 values a step, zero padded. */
function packTransposedA(module: ModuleBuilder): FunctionBuilder {
  const f = module.func("gemm_pack_a", { a: "i32", m: "i32", p0: "i32", kc: "i32", i0: "i32", mc: "i32", out: "i32" }, [], true);
  const [a, m, p0, kc, i0, mc, out] = ["a", "m", "p0", "kc", "i0", "mc", "out"].map((p) => f.param(p));
  const ir = f.local("i32", "ir");
  const p = f.local("i32", "p");
  const t = f.local("i32", "t");
  const rows = f.local("i32", "rows");
  const src = f.local("i32", "src");
  const dst = f.local("i32", "dst");
  const MR = GEMM_TILE.rows;
  f.define(
    set(dst, get(out)),
    forRange(ir, i32.const(0), get(mc), MR,
      set(rows, min(i32.const(MR), i32.sub(get(mc), get(ir)))),
      forRange(p, i32.const(0), get(kc), 1,
        set(src, i32.shl(i32.add(i32.mul(i32.add(get(p0), get(p)), get(m)), i32.add(get(i0), get(ir))), i32.const(2))),
        set(src, i32.add(get(a), get(src))),
        when(i32.eq(get(rows), i32.const(MR)), [v128.store(get(dst), v128.load(get(src)))], [
          forRange(t, i32.const(0), i32.const(MR), 1,
            f32.store(i32.add(get(dst), i32.shl(get(t), i32.const(2))), select(f32.load(i32.add(get(src), i32.shl(min(get(t), i32.sub(get(rows), i32.const(1))), i32.const(2)))), f32.const(0), i32.ltS(get(t), get(rows)))),
          ),
        ]),
        increment(dst, i32.const(MR * 4)),
      ),
    ),
  );
  return f;
}

/**
 * Packs rows i0 .. i0+mc, depth p0 .. p0+kc of op(A) = A (m x k) into panels
 * of 4 rows, 4 values a step: four steps at a time as a 4 x 4 transpose of
 * one vector from each row; zero padded past the last row.
 */
function packRowsOfA(module: ModuleBuilder): FunctionBuilder {
  const f = module.func("gemm_pack_a_rows", { a: "i32", k: "i32", p0: "i32", kc: "i32", i0: "i32", mc: "i32", out: "i32" }, [], true);
  const [a, k, p0, kc, i0, mc, out] = ["a", "k", "p0", "kc", "i0", "mc", "out"].map((p) => f.param(p));
  const MR = GEMM_TILE.rows;
  const [ir, p, t, rows, dst, lda, quads] = ["ir", "p", "t", "rows", "dst", "lda", "quads"].map((name) => f.local("i32", name));
  const row = Array.from({ length: MR }, (_, r) => f.local("i32", `row${r}`));
  const [v0, v1, v2, v3, lo01, lo23, hi01, hi23] = ["v0", "v1", "v2", "v3", "lo01", "lo23", "hi01", "hi23"].map((name) => f.local("v128", name));
  const v = [v0, v1, v2, v3];
  const transpose: Code[] = [
    ...v.map((x, r) => set(x, v128.load(i32.add(get(row[r]), i32.shl(get(p), i32.const(2)))))),
    set(lo01, v128.shuffle32(get(v0), get(v1), [0, 4, 1, 5])),
    set(lo23, v128.shuffle32(get(v2), get(v3), [0, 4, 1, 5])),
    set(hi01, v128.shuffle32(get(v0), get(v1), [2, 6, 3, 7])),
    set(hi23, v128.shuffle32(get(v2), get(v3), [2, 6, 3, 7])),
    v128.store(get(dst), v128.shuffle32(get(lo01), get(lo23), [0, 1, 4, 5])),
    v128.store(get(dst), v128.shuffle32(get(lo01), get(lo23), [2, 3, 6, 7]), 16),
    v128.store(get(dst), v128.shuffle32(get(hi01), get(hi23), [0, 1, 4, 5]), 32),
    v128.store(get(dst), v128.shuffle32(get(hi01), get(hi23), [2, 3, 6, 7]), 48),
    increment(dst, i32.const(4 * MR * 4)),
  ];
  const scalarStep = (): Code =>
    forRange(t, i32.const(0), i32.const(MR), 1,
      f32.store(i32.add(get(dst), i32.shl(get(t), i32.const(2))), select(f32.load(i32.add(i32.add(get(a), i32.shl(i32.add(i32.mul(i32.add(i32.add(get(i0), get(ir)), min(get(t), i32.sub(get(rows), i32.const(1)))), get(k)), i32.add(get(p0), get(p))), i32.const(2))), i32.const(0))), f32.const(0), i32.ltS(get(t), get(rows)))),
    );
  f.define(
    set(dst, get(out)),
    set(lda, i32.shl(get(k), i32.const(2))),
    set(quads, i32.and(get(kc), i32.const(~3))),
    forRange(ir, i32.const(0), get(mc), MR,
      set(rows, min(i32.const(MR), i32.sub(get(mc), get(ir)))),
      when(i32.eq(get(rows), i32.const(MR)), [
        set(row[0], i32.add(get(a), i32.shl(i32.add(i32.mul(i32.add(get(i0), get(ir)), get(k)), get(p0)), i32.const(2)))),
        ...row.slice(1).map((r, index) => set(r, i32.add(get(row[index]), get(lda)))),
        forRange(p, i32.const(0), get(quads), 4, ...transpose),
        forRange(p, get(quads), get(kc), 1, scalarStep(), increment(dst, i32.const(MR * 4))),
      ], [
        forRange(p, i32.const(0), get(kc), 1, scalarStep(), increment(dst, i32.const(MR * 4))),
      ]),
    ),
  );
  return f;
}

/**
 * Packs depth p0 .. p0+kc, columns j0 .. j0+nc of op(B) into panels of 8
 * columns, 8 values a step, zero padded: op(B) = B (k x n, `trans` 0) or B^T (B stored n x k).
 * Exported too: a split product has its threads pack all of op(B) once, in
 * the layout `gemm_packed_b` reads (packedBOffset), instead of each thread its own copy.
 */
function packPanelsOfB(module: ModuleBuilder): FunctionBuilder {
  const f = module.func("gemm_pack_b", { b: "i32", n: "i32", k: "i32", trans: "i32", p0: "i32", kc: "i32", j0: "i32", nc: "i32", out: "i32" });
  const [b, n, k, trans, p0, kc, j0, nc, out] = ["b", "n", "k", "trans", "p0", "kc", "j0", "nc", "out"].map((p) => f.param(p));
  const NR = GEMM_TILE.columns;
  const jr = f.local("i32", "jr");
  const p = f.local("i32", "p");
  const t = f.local("i32", "t");
  const cols = f.local("i32", "cols");
  const dst = f.local("i32", "dst");
  const src = f.local("i32", "src");
  const stride = f.local("i32", "stride"); // bytes from one column of op(B) to the next
  const step = f.local("i32", "step"); // bytes from one depth step to the next
  const lastColumn = f.local("i32", "lastColumn");
  const quads = f.local("i32", "quads");
  const v = Array.from({ length: NR }, (_, r) => f.local("v128", `v${r}`));
  const [lo01, lo23, hi01, hi23] = ["lo01", "lo23", "hi01", "hi23"].map((name) => f.local("v128", name));
  const oneStep: Code[] = [
    when(i32.and(i32.eqz(get(trans)), i32.eq(get(cols), i32.const(NR))), [
      v128.store(get(dst), v128.load(get(src))),
      v128.store(get(dst), v128.load(get(src), 16), 16),
    ], [
      forRange(t, i32.const(0), i32.const(NR), 1,
        f32.store(i32.add(get(dst), i32.shl(get(t), i32.const(2))), select(f32.load(i32.add(get(src), i32.mul(min(get(t), get(lastColumn)), get(stride)))), f32.const(0), i32.ltS(get(t), get(cols)))),
      ),
    ]),
    increment(dst, i32.const(NR * 4)),
    increment(src, get(step)),
  ];
  // op(B) = B^T, a whole panel: four depth steps at a time, one vector from each of the 8 rows of B, as two 4 x 4 transposes.
  const fourSteps: Code[] = [...v.map((x, r) => set(x, v128.load(i32.add(get(src), i32.mul(get(stride), i32.const(r))))))];
  for (let half = 0; half < 2; half++) {
    const [v0, v1, v2, v3] = v.slice(4 * half, 4 * half + 4);
    fourSteps.push(
      set(lo01, v128.shuffle32(get(v0), get(v1), [0, 4, 1, 5])),
      set(lo23, v128.shuffle32(get(v2), get(v3), [0, 4, 1, 5])),
      set(hi01, v128.shuffle32(get(v0), get(v1), [2, 6, 3, 7])),
      set(hi23, v128.shuffle32(get(v2), get(v3), [2, 6, 3, 7])),
      v128.store(get(dst), v128.shuffle32(get(lo01), get(lo23), [0, 1, 4, 5]), 16 * half),
      v128.store(get(dst), v128.shuffle32(get(lo01), get(lo23), [2, 3, 6, 7]), 4 * NR + 16 * half),
      v128.store(get(dst), v128.shuffle32(get(hi01), get(hi23), [0, 1, 4, 5]), 8 * NR + 16 * half),
      v128.store(get(dst), v128.shuffle32(get(hi01), get(hi23), [2, 3, 6, 7]), 12 * NR + 16 * half),
    );
  }
  fourSteps.push(increment(dst, i32.const(4 * NR * 4)), increment(src, i32.const(16)));
  f.define(
    set(dst, get(out)),
    set(stride, select(i32.shl(get(k), i32.const(2)), i32.const(4), get(trans))),
    set(step, select(i32.const(4), i32.shl(get(n), i32.const(2)), get(trans))),
    forRange(jr, i32.const(0), get(nc), NR,
      set(cols, min(i32.const(NR), i32.sub(get(nc), get(jr)))),
      set(lastColumn, i32.sub(get(cols), i32.const(1))),
      // Address of op(B)[p0, j0 + jr].
      set(src, i32.add(get(b), i32.add(i32.mul(get(p0), get(step)), i32.mul(i32.add(get(j0), get(jr)), get(stride))))),
      set(quads, select(i32.and(get(kc), i32.const(~3)), i32.const(0), i32.and(i32.ne(get(trans), i32.const(0)), i32.eq(get(cols), i32.const(NR))))),
      forRange(p, i32.const(0), get(quads), 4, ...fourSteps),
      forRange(p, get(quads), get(kc), 1, ...oneStep),
    ),
  );
  return f;
}

/** Columns of op(B) once packed: n rounded up to whole panels. */
export function packedColumns(n: number): number {
  return Math.ceil(n / GEMM_TILE.columns) * GEMM_TILE.columns;
}

/**
 * Where the panel of depth block p0 (a multiple of GEMM_BLOCK.depth) and columns j0.. (a multiple of 8) starts in
 * the packed op(B) of a k x n product, in floats: each depth block holds the panels of all columns in turn.
 */
export function packedBOffset(n: number, k: number, p0: number, j0: number): number {
  return p0 * packedColumns(n) + j0 * Math.min(GEMM_BLOCK.depth, k - p0);
}

/**
 * gemm(flags, m, n, k, a, b, c, bias, rowStart, rowEnd, colStart, colEnd, workspaces, thread):
 * the block rowStart..rowEnd x colStart..colEnd of C (threads take disjoint
 * blocks), packing into workspace `thread` of the GEMM_WORKSPACE_BYTES-sized
 * ones at `workspaces`. Byte addresses; flags from GemmFlag; k >= 1.
 * gemm_packed_b (packB null) takes the same arguments, with `b` all of op(B)
 * already packed (gemm_pack_b, laid out as packedBOffset says), which it reads
 * instead of packing its own: the same operations in the same order.
 */
function driver(module: ModuleBuilder, exportName: string, rowsKernel: FunctionBuilder, packedKernel: FunctionBuilder, packA: FunctionBuilder, packRows: FunctionBuilder, packB: FunctionBuilder | null): void {
  const f = module.func(exportName, { flags: "i32", m: "i32", n: "i32", k: "i32", a: "i32", b: "i32", c: "i32", bias: "i32", rowStart: "i32", rowEnd: "i32", colStart: "i32", colEnd: "i32", workspaces: "i32", thread: "i32" });
  const [flags, m, n, k, a, b, c, bias, rowStart, rowEnd, colStart, colEnd, workspaces, thread] = ["flags", "m", "n", "k", "a", "b", "c", "bias", "rowStart", "rowEnd", "colStart", "colEnd", "workspaces", "thread"].map((p) => f.param(p));
  const { rows: MR, columns: NR } = GEMM_TILE;
  const { depth: KC, rows: MC, columns: NC } = GEMM_BLOCK;
  const [jc, pc, ic, jr, ir, nc, kc, mc, cols, epilogue, packedA, packedB, tile, panel, ldc, cRow, packedRows] =
    ["jc", "pc", "ic", "jr", "ir", "nc", "kc", "mc", "cols", "epilogue", "packedA", "packedB", "tile", "panel", "ldc", "cRow", "packedRows"].map((name) => f.local("i32", name));
  // op(A) = A is packed too, unless the depth is so small that packing costs more than it saves (a convolution's im2col rows).
  const packRowsOfA = i32.and(i32.eqz(bit(flags, GemmFlag.transA)), i32.gtS(get(k), i32.const(PACK_ROWS_MIN_DEPTH)));
  const transA = i32.or(bit(flags, GemmFlag.transA), get(packedRows));
  const lastBlock = i32.geS(i32.add(get(pc), get(kc)), get(k));

  const tileCall = (rowsOfTile: Code): Code =>
    when(transA, [
      call(packedKernel, get(kc), i32.add(get(packedA), i32.shl(i32.mul(get(ir), get(kc)), i32.const(2))), i32.const(0), get(panel), get(cRow), get(ldc), rowsOfTile, get(cols), get(epilogue), i32.add(get(bias), i32.shl(i32.add(get(jc), get(jr)), i32.const(2))), get(tile)),
    ], [
      call(rowsKernel, get(kc), i32.add(get(a), i32.shl(i32.add(i32.mul(i32.add(get(ic), get(ir)), get(k)), get(pc)), i32.const(2))), i32.shl(get(k), i32.const(2)), get(panel), get(cRow), get(ldc), rowsOfTile, get(cols), get(epilogue), i32.add(get(bias), i32.shl(i32.add(get(jc), get(jr)), i32.const(2))), get(tile)),
    ]);

  f.define(
    set(packedA, i32.add(get(workspaces), i32.mul(get(thread), i32.const(GEMM_WORKSPACE_BYTES)))),
    set(packedB, i32.add(get(packedA), i32.const(4 * MC * KC))),
    set(tile, i32.add(get(packedB), i32.const(4 * KC * NC))),
    set(ldc, i32.shl(get(n), i32.const(2))),
    set(packedRows, packRowsOfA),
    forRange(jc, get(colStart), get(colEnd), NC,
      set(nc, min(i32.const(NC), i32.sub(get(colEnd), get(jc)))),
      forRange(pc, i32.const(0), get(k), KC,
        set(kc, min(i32.const(KC), i32.sub(get(k), get(pc)))),
        set(epilogue, i32.or(
          select(i32.const(Epilogue.loadC), i32.const(0), i32.or(bit(flags, GemmFlag.accumulate), i32.gtS(get(pc), i32.const(0)))),
          select(i32.or(select(i32.const(Epilogue.bias), i32.const(0), bit(flags, GemmFlag.bias)), select(i32.const(Epilogue.relu), i32.const(0), bit(flags, GemmFlag.relu))), i32.const(0), lastBlock),
        )),
        packB !== null
          ? call(packB, get(b), get(n), get(k), bit(flags, GemmFlag.transB), get(pc), get(kc), get(jc), get(nc), get(packedB))
          : set(packedB, i32.add(get(b), i32.shl(i32.add(i32.mul(get(pc), i32.and(i32.add(get(n), i32.const(NR - 1)), i32.const(-NR))), i32.mul(get(jc), get(kc))), i32.const(2)))),
        forRange(ic, get(rowStart), get(rowEnd), MC,
          set(mc, min(i32.const(MC), i32.sub(get(rowEnd), get(ic)))),
          when(bit(flags, GemmFlag.transA), [call(packA, get(a), get(m), get(pc), get(kc), get(ic), get(mc), get(packedA))], [
            when(get(packedRows), [call(packRows, get(a), get(k), get(pc), get(kc), get(ic), get(mc), get(packedA))]),
          ]),
          forRange(jr, i32.const(0), get(nc), NR,
            set(cols, min(i32.const(NR), i32.sub(get(nc), get(jr)))),
            set(panel, i32.add(get(packedB), i32.shl(i32.mul(get(jr), get(kc)), i32.const(2)))),
            forRange(ir, i32.const(0), get(mc), MR,
              set(cRow, i32.add(get(c), i32.shl(i32.add(i32.mul(i32.add(get(ic), get(ir)), get(n)), i32.add(get(jc), get(jr))), i32.const(2)))),
              tileCall(min(i32.const(MR), i32.sub(get(mc), get(ir)))),
            ),
          ),
        ),
      ),
    ),
  );
}
