import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../../src/features");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** Every import or re-export that leaves `dir` or is not a relative path. */
function importsOutside(dir: string): string[] {
  const outside: string[] = [];
  for (const file of sourceFiles(dir)) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022);
    for (const statement of source.statements) {
      if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
        const specifier = statement.moduleSpecifier.text;
        if (!specifier.startsWith(".") || relative(dir, resolve(dirname(file), specifier)).startsWith("..")) outside.push(`${relative(dir, file)} imports ${specifier}`);
      }
    }
  }
  return outside;
}

/** Type errors of `dir` compiled with the ES library alone: no Node types, no DOM. */
function typeErrorsWithoutNode(dir: string): string[] {
  const program = ts.createProgram(sourceFiles(dir), {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ["lib.es2023.d.ts"],
    types: [],
    strict: true,
    noEmit: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

describe("src/features is pure", () => {
  it("imports only its own files: no node: modules, no npm packages, nothing else of the project", () => {
    expect(importsOutside(root)).toEqual([]);
  });

  it("compiles without Node's or the DOM's types", () => {
    expect(typeErrorsWithoutNode(root)).toEqual([]);
  });

  it("the checks catch a Node import, a project import and a Node global", () => {
    const dir = mkdtempSync(join(tmpdir(), "purity-"));
    try {
      writeFileSync(join(dir, "a.ts"), `import { readFileSync } from "node:fs";\nimport { x } from "../elsewhere.js";\nexport const b = Buffer.from("x");\n`);
      expect(importsOutside(dir)).toEqual(["a.ts imports node:fs", "a.ts imports ../elsewhere.js"]);
      expect(typeErrorsWithoutNode(dir).join("\n")).toMatch(/Buffer/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
