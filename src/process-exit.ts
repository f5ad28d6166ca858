import { ConfigError } from "./config.js";

/** Runs `load`; a ConfigError becomes one line on stderr and exit code 1, not a stack trace. */
export function exitWithConfigProblem<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`descent: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}
