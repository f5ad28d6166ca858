import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { prismaClientIsStale } from "../../scripts/prisma-client.js";

// `npm start` regenerates the Prisma client when a pull changed the schema (scripts/prestart.ts).

const root = mkdtempSync(join(tmpdir(), "descent-prisma-client-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const touch = (path: string, seconds: number) => {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), "");
  utimesSync(join(root, path), seconds, seconds);
};

describe("the Prisma client's freshness", () => {
  it("is stale when missing or older than prisma/schema.prisma, fresh when generated after it", () => {
    touch("prisma/schema.prisma", 1_000);
    expect(prismaClientIsStale(root)).toBe(true);
    touch("src/db/generated/client.ts", 2_000); // npm ci generated it after checkout
    expect(prismaClientIsStale(root)).toBe(false);
    touch("prisma/schema.prisma", 3_000); // a pull changed the schema
    expect(prismaClientIsStale(root)).toBe(true);
  });
});
