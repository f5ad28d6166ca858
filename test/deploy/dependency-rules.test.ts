import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";
import { cruise, type IForbiddenRuleType } from "dependency-cruiser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
const config = createRequire(import.meta.url)("../../.dependency-cruiser.cjs") as { forbidden: IForbiddenRuleType[] };

// The layering rules of .dependency-cruiser.cjs hold on the tree, and each
// one catches the arrow it forbids (checked on a small tree of wrong imports).

const cruiseOptions = (baseDir?: string) => ({
  ruleSet: { forbidden: config.forbidden },
  validate: true,
  tsPreCompilationDeps: true,
  doNotFollow: { path: "node_modules" },
  exclude: { path: "(^|/)(dist|src/db/generated)/" },
  ...(baseDir ? { baseDir } : {}),
});

describe("dependency rules", () => {
  it("hold on the repository", async () => {
    const result = await cruise(["src", "workers", "dashboard/src", "scripts", "bench"], cruiseOptions(), undefined, { tsConfig: { fileName: "tsconfig.json" } } as never);
    const output = result.output as { summary: { violations: { rule: { name: string }; from: string; to: string }[] } };
    expect(output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`)).toEqual([]);
  });

  describe("catch what they forbid", () => {
    let root: string;
    const files: Record<string, string> = {
      "src/engine/leaky.ts": 'import { readFileSync } from "node:fs";\nexport const leak = readFileSync;\n',
      "src/features/leaky.ts": 'import { loadConfig } from "../config";\nexport const leak = loadConfig;\n',
      "src/config.ts": "export const loadConfig = () => 1;\n",
      "src/services/uses-queue.ts": 'import { queue } from "../queue/concrete";\nexport const q = queue;\n',
      "src/queue/concrete.ts": 'import { service } from "../services/value";\nexport const queue = service;\n',
      "src/services/value.ts": "export const service = 1;\n",
      "src/api/routes/prisma.ts": 'import { db } from "../../db/client";\nexport const d = db;\n',
      "src/db/client.ts": "export const db = 1;\n",
      "src/a.ts": 'import { b } from "./b";\nexport const a = b;\n',
      "src/b.ts": 'import { a } from "./a";\nexport const b = a;\n',
      "dashboard/src/server-code.ts": 'import { db } from "../../src/db/client";\nexport const d = db;\n',
    };

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), "descent-deps-"));
      for (const [path, text] of Object.entries(files)) {
        await mkdir(dirname(join(root, path)), { recursive: true });
        await writeFile(join(root, path), text);
      }
    });
    afterAll(async () => root && rm(root, { recursive: true, force: true }));

    it.each([
      ["engine-is-pure", "src/engine/leaky.ts"],
      ["features-are-pure", "src/features/leaky.ts"],
      ["services-use-ports", "src/services/uses-queue.ts"],
      ["queue-imports-only-types-from-services", "src/queue/concrete.ts"],
      ["api-never-touches-prisma-or-bullmq", "src/api/routes/prisma.ts"],
      ["no-cycles", "src/a.ts"],
      ["dashboard-and-sdk-stay-clients", "dashboard/src/server-code.ts"],
    ])("%s flags %s", async (rule, from) => {
      const result = await cruise(["src", "dashboard"], cruiseOptions(root));
      const violations = (result.output as { summary: { violations: { rule: { name: string }; from: string }[] } }).summary.violations;
      expect(violations.some((v) => v.rule.name === rule && v.from === from), JSON.stringify(violations.map((v) => [v.rule.name, v.from]))).toBe(true);
    });
  });
});
