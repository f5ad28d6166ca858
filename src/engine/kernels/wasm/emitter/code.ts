/**
 * WebAssembly instructions as folded expressions, the way the text format
 * writes `(f32x4.add (local.get $x) (f32x4.mul ...))`: every builder returns
 * the code that leaves its value on the stack, operands first. Code is a tree
 * (so that blocks can be branched to by label, not by depth); module.ts
 * flattens it to bytes. Types are not checked here: WebAssembly.validate
 * checks the whole module when it is built (scripts/build-kernels.ts, tests).
 */

export type ValueType = "i32" | "f32" | "f64" | "v128";
export const valueTypeCode: Record<ValueType, number> = { i32: 0x7f, f32: 0x7d, f64: 0x7c, v128: 0x7b };

/** A block or loop a branch can name; `loop` labels jump back to the top, `block` labels past the end. */
export interface Label {
  readonly name: string;
}

export type Code = number | Label | BranchTo | Structured | readonly Code[];

interface BranchTo {
  readonly kind: "branch";
  readonly opcode: number; // br or br_if
  readonly label: Label;
}

interface Structured {
  readonly kind: "structured";
  readonly opcode: number; // block, loop, if
  readonly label: Label | null;
  readonly body: readonly Code[];
  readonly otherwise: readonly Code[] | null;
}

export class Local {
  constructor(
    readonly index: number,
    readonly type: ValueType,
    readonly name: string,
  ) {}
}

export function uleb(value: number): number[] {
  const out: number[] = [];
  let n = value >>> 0;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  let n = value | 0;
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const simd = (op: number): number[] => [0xfd, ...uleb(op)];
const unary = (opcode: number[]) => (x: Code): Code => [x, opcode];
const binary = (opcode: number[]) => (x: Code, y: Code): Code => [x, y, opcode];
/** memarg: alignment exponent and a constant byte offset added to the address. */
const memarg = (align: number, offset: number): number[] => [align, ...uleb(offset)];

export const get = (local: Local): Code => [0x20, ...uleb(local.index)];
export const set = (local: Local, value: Code): Code => [value, 0x21, ...uleb(local.index)];
export const tee = (local: Local, value: Code): Code => [value, 0x22, ...uleb(local.index)];
/** local += step (i32). */
export const increment = (local: Local, step: Code): Code => set(local, i32.add(get(local), step));

export const i32 = {
  const: (value: number): Code => [0x41, ...sleb(value)],
  load: (address: Code, offset = 0): Code => [address, 0x28, ...memarg(2, offset)],
  store: (address: Code, value: Code, offset = 0): Code => [address, value, 0x36, ...memarg(2, offset)],
  eqz: unary([0x45]),
  eq: binary([0x46]),
  ne: binary([0x47]),
  ltS: binary([0x48]),
  gtS: binary([0x4a]),
  leS: binary([0x4c]),
  geS: binary([0x4e]),
  add: binary([0x6a]),
  sub: binary([0x6b]),
  mul: binary([0x6c]),
  and: binary([0x71]),
  or: binary([0x72]),
  shl: binary([0x74]),
  shrU: binary([0x76]),
};

export const f32 = {
  const: (value: number): Code => {
    const bytes = new Uint8Array(new Float32Array([value]).buffer);
    return [0x43, ...bytes];
  },
  load: (address: Code, offset = 0): Code => [address, 0x2a, ...memarg(2, offset)],
  store: (address: Code, value: Code, offset = 0): Code => [address, value, 0x38, ...memarg(2, offset)],
  eq: binary([0x5b]),
  ne: binary([0x5c]),
  lt: binary([0x5d]),
  gt: binary([0x5e]),
  add: binary([0x92]),
  sub: binary([0x93]),
  mul: binary([0x94]),
  div: binary([0x95]),
  max: binary([0x97]),
  convertI32S: unary([0xb2]),
  /** Rounds an f64 to the nearest f32 (what a store into a Float32Array does in JavaScript). */
  demoteF64: unary([0xb6]),
};

export const f64 = {
  add: binary([0xa0]),
  sub: binary([0xa1]),
  mul: binary([0xa2]),
  div: binary([0xa3]),
  sqrt: unary([0x9f]),
  promoteF32: unary([0xbb]),
};

export const v128 = {
  load: (address: Code, offset = 0): Code => [address, simd(0x00), ...memarg(4, offset)],
  /** Four copies of the f32 (as 32 bits) at the address. */
  load32Splat: (address: Code, offset = 0): Code => [address, simd(0x09), ...memarg(2, offset)],
  store: (address: Code, value: Code, offset = 0): Code => [address, value, simd(0x0b), ...memarg(4, offset)],
  zero: (): Code => [simd(0x0c), ...new Array<number>(16).fill(0)],
  /** The 8 bytes at the address into lane 0 of an i64x2, lane 1 zero. */
  load64Zero: (address: Code, offset = 0): Code => [address, simd(0x5d), ...memarg(3, offset)],
  /** Stores lane 0 of an i64x2 (8 bytes). */
  store64Lane0: (address: Code, value: Code, offset = 0): Code => [address, value, simd(0x5b), ...memarg(3, offset), 0],
  and: binary(simd(0x4e)),
  /** Bits of x where the mask is set, of y elsewhere. */
  bitselect: (x: Code, y: Code, mask: Code): Code => [x, y, mask, simd(0x52)],
  anyTrue: unary(simd(0x53)),
  /** Lanes picked from x (0..3) and y (4..7), as i8x16.shuffle of 32-bit lanes. */
  shuffle32: (x: Code, y: Code, lanes: readonly [number, number, number, number]): Code => {
    const bytes = lanes.flatMap((lane) => [lane * 4, lane * 4 + 1, lane * 4 + 2, lane * 4 + 3]);
    return [x, y, simd(0x0d), ...bytes];
  },
};

export const i32x4 = {
  splat: unary(simd(0x11)),
  add: binary(simd(0xae)),
  /** [0, 1, 2, 3] */
  lanes: (): Code => [simd(0x0c), ...[0, 1, 2, 3].flatMap((lane) => [lane, 0, 0, 0])],
};

export const f64x2 = {
  splat: unary(simd(0x14)),
  add: binary(simd(0xf0)),
  sub: binary(simd(0xf1)),
  mul: binary(simd(0xf2)),
  div: binary(simd(0xf3)),
  sqrt: unary(simd(0xef)),
  /** f32 lanes 0 and 1 to two f64. */
  promoteLow: unary(simd(0x5f)),
  /** Two f64 to f32 lanes 0 and 1 (rounded to nearest), lanes 2 and 3 zero. */
  demoteZero: unary(simd(0x5e)),
};

export const f32x4 = {
  splat: unary(simd(0x13)),
  extractLane: (x: Code, lane: number): Code => [x, simd(0x1f), lane],
  eq: binary(simd(0x41)),
  lt: binary(simd(0x43)),
  gt: binary(simd(0x44)),
  add: binary(simd(0xe4)),
  sub: binary(simd(0xe5)),
  mul: binary(simd(0xe6)),
  div: binary(simd(0xe7)),
  /** Lane-wise max as IEEE maxNum without NaN propagation subtleties: pmax(x, y) = x < y ? y : x. */
  pmax: binary(simd(0xeb)),
};

export const drop = (value: Code): Code => [value, 0x1a];
export const select = (ifTrue: Code, ifFalse: Code, condition: Code): Code => [ifTrue, ifFalse, condition, 0x1b];
export const ret = (): Code => [0x0f];
export const call = (func: { index: number }, ...args: Code[]): Code => [...args, 0x10, ...uleb(func.index)];

export const label = (name: string): Label => ({ name });
export const block = (name: Label | null, ...body: Code[]): Code => ({ kind: "structured", opcode: 0x02, label: name, body, otherwise: null });
export const loop = (name: Label, ...body: Code[]): Code => ({ kind: "structured", opcode: 0x03, label: name, body, otherwise: null });
export const when = (condition: Code, then: Code[], otherwise: Code[] | null = null): Code => [condition, { kind: "structured", opcode: 0x04, label: null, body: then, otherwise }];
export const br = (target: Label): Code => ({ kind: "branch", opcode: 0x0c, label: target });
export const brIf = (target: Label, condition: Code): Code => [condition, { kind: "branch", opcode: 0x0d, label: target }];

/**
 * for (index = start; index < end; index += step) body, as block + loop
 * (the test is at the top, so an empty range runs nothing).
 */
export function forRange(index: Local, start: Code, end: Code, step: number, ...body: Code[]): Code {
  const exit = label(`${index.name}.exit`);
  const next = label(`${index.name}.next`);
  return [set(index, start), block(exit, loop(next, brIf(exit, i32.geS(get(index), end)), ...body, increment(index, i32.const(step)), br(next)))];
}

/**
 * Runs over `count` floats from byte offset 0 of each stream: `vector(at)` four
 * at a time while four remain, then `scalar(at)` one at a time; `at` is the
 * byte offset (an i32 local) shared by every stream.
 */
export function forFloats(at: Local, count: Code, vector: (at: Code) => Code[], scalar: (at: Code) => Code[]): Code {
  const bytes = i32.shl(count, i32.const(2));
  const vectors = label(`${at.name}.vectors`);
  const vectorsDone = label(`${at.name}.vectorsDone`);
  const scalars = label(`${at.name}.scalars`);
  const scalarsDone = label(`${at.name}.scalarsDone`);
  return [
    set(at, i32.const(0)),
    block(vectorsDone, loop(vectors, brIf(vectorsDone, i32.gtS(i32.add(get(at), i32.const(16)), bytes)), ...vector(get(at)), increment(at, i32.const(16)), br(vectors))),
    block(scalarsDone, loop(scalars, brIf(scalarsDone, i32.geS(get(at), bytes)), ...scalar(get(at)), increment(at, i32.const(4)), br(scalars))),
  ];
}

/** Flattens a code tree to bytes, resolving labels to branch depths. */
export function assemble(code: Code, out: number[] = [], scopes: (Label | null)[] = []): number[] {
  if (typeof code === "number") {
    out.push(code);
  } else if (Array.isArray(code)) {
    for (const part of code as readonly Code[]) assemble(part, out, scopes);
  } else if ("kind" in code && code.kind === "branch") {
    const depth = scopes.length - 1 - scopes.lastIndexOf(code.label);
    if (depth >= scopes.length) throw new Error(`branch to ${code.label.name}, which does not enclose it`);
    out.push(code.opcode, ...uleb(depth));
  } else if ("kind" in code && code.kind === "structured") {
    out.push(code.opcode, 0x40);
    scopes.push(code.label);
    for (const part of code.body) assemble(part, out, scopes);
    if (code.otherwise !== null) {
      out.push(0x05);
      for (const part of code.otherwise) assemble(part, out, scopes);
    }
    scopes.pop();
    out.push(0x0b);
  } else {
    throw new Error(`label ${(code as Label).name} used as an instruction`);
  }
  return out;
}
