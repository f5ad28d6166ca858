import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { deployMigrations } from "../../src/db/migrations.js";
import { adminQuery, databaseUrl } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

/**
 * Migrates a template database once per run; each test file copies it
 * (test/helpers/postgres.ts). Its name is unique so two runs on one machine
 * never drop each other's template.
 */
export default async function setup(project: TestProject) {
  const template = `descent_template_${randomBytes(4).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${template}`);
  await deployMigrations(databaseUrl(template));
  project.provide("templateDatabase", template);
  return async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  };
}
