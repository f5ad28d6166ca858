import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Two cores: a training test and an API test can share them; more would only queue.
    maxWorkers: 2,
    projects: [
      // Engine and feature tests: no database, no Redis, so no global setup.
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "test/unit/**"],
          // Vitest runs a project's global setup only when one of its files is selected.
          globalSetup: ["test/helpers/global-setup.ts"],
        },
      },
    ],
  },
});
