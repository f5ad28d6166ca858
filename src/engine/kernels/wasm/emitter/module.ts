import { assemble, Local, uleb, valueTypeCode, type Code, type ValueType } from "./code.js";

/**
 * A WebAssembly module with one imported memory (env.memory, shared so that
 * worker threads can run the same kernels over it) and exported functions.
 * Just the sections these kernels need: type, import, function, export, code.
 */
export class ModuleBuilder {
  private readonly functions: FunctionBuilder[] = [];

  constructor(private readonly memory: { initialPages: number; maximumPages: number; shared: boolean }) {}

  /** Declares a function (exported under its name unless `internal`); its body is set with `define`. */
  func(name: string, params: Record<string, ValueType>, results: ValueType[] = [], internal = false): FunctionBuilder {
    if (this.functions.some((f) => f.name === name)) throw new Error(`function ${name} is declared twice`);
    const func = new FunctionBuilder(this.functions.length, name, params, results, !internal);
    this.functions.push(func);
    return func;
  }

  build(): Uint8Array {
    for (const f of this.functions) if (f.body === null) throw new Error(`function ${f.name} has no body`);
    const types = this.functions.map((f) => [0x60, ...vector(f.paramTypes.map((t) => [valueTypeCode[t]])), ...vector(f.results.map((t) => [valueTypeCode[t]]))]);
    const { initialPages, maximumPages, shared } = this.memory;
    const memoryImport = [...name("env"), ...name("memory"), 0x02, shared ? 0x03 : 0x01, ...uleb(initialPages), ...uleb(maximumPages)];
    const exported = this.functions.filter((f) => f.exported);
    const bodies = this.functions.map((f) => {
      const declared = f.locals.slice(f.paramTypes.length).map((local) => [1, valueTypeCode[local.type]]);
      const body = [...vector(declared), ...assemble(f.body!), 0x0b];
      return [...uleb(body.length), ...body];
    });
    return new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(1, vector(types)),
      ...section(2, vector([memoryImport])),
      ...section(3, vector(this.functions.map((_, i) => uleb(i)))),
      ...section(7, vector(exported.map((f) => [...name(f.name), 0x00, ...uleb(f.index)]))),
      ...section(10, vector(bodies)),
    ]);
  }
}

export class FunctionBuilder {
  readonly locals: Local[] = [];
  readonly paramTypes: ValueType[];
  body: Code | null = null;

  constructor(
    readonly index: number,
    readonly name: string,
    params: Record<string, ValueType>,
    readonly results: ValueType[],
    readonly exported: boolean,
  ) {
    this.paramTypes = Object.values(params);
    for (const [paramName, type] of Object.entries(params)) this.locals.push(new Local(this.locals.length, type, paramName));
  }

  /** The parameter of that name. */
  param(paramName: string): Local {
    const local = this.locals.find((l) => l.name === paramName && l.index < this.paramTypes.length);
    if (local === undefined) throw new Error(`${this.name} has no parameter ${paramName}`);
    return local;
  }

  /** A new local variable (zero-initialised, as every WebAssembly local). */
  local(type: ValueType, localName = `local${this.locals.length}`): Local {
    const local = new Local(this.locals.length, type, localName);
    this.locals.push(local);
    return local;
  }

  define(...body: Code[]): void {
    this.body = body;
  }
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/** Names here are ASCII identifiers, so one byte per character is their UTF-8. */
function name(text: string): number[] {
  if (!/^[\x20-\x7e]*$/.test(text)) throw new Error(`name ${text} is not ASCII`);
  return [...uleb(text.length), ...Array.from(text, (ch) => ch.charCodeAt(0))];
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}
