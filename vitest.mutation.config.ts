import { defineConfig } from "vitest/config";

// npm run mutation (stryker.config.json) runs the engine unit tests through this
// flat config: with vitest.config.ts' projects, Stryker's runner options (one
// thread, its setup file) did not reach every file, and some mutants that a test
// kills were reported as survivors.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
