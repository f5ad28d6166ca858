import { pino, type Logger, type LoggerOptions } from "pino";

/** Options shared by the API's and the workers' loggers: JSON in production, readable lines in a terminal. */
export function loggerOptions(level: string, name: string): LoggerOptions {
  const pretty = process.stdout.isTTY && process.env.NODE_ENV !== "production";
  return {
    name,
    level,
    redact: ["req.headers.authorization", "req.headers.cookie"],
    ...(pretty ? { transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss.l", ignore: "pid,hostname" } } } : {}),
  };
}

export function createLogger(level: string, name: string): Logger {
  return pino(loggerOptions(level, name));
}
