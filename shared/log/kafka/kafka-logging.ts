import { type logCreator, logLevel } from "kafkajs";

export type LogLevel = "error" | "warn" | "info" | "debug";

/** Where the adapter reports what it cannot throw: handler retries, heartbeat loss, kafkajs's own errors. */
export type KafkaLogger = (level: LogLevel, msg: string, extra: Record<string, unknown>) => void;

/** The fallback when no logger is given: one JSON line per entry on stderr, so errors are never dropped. */
export function logToStderr(level: LogLevel, msg: string, extra: Record<string, unknown>): void {
  console.error(JSON.stringify({ level, msg, ...extra }));
}

const LEVELS: Record<number, LogLevel> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/**
 * Routes kafkajs's logging into our logger. kafkajs is created with logLevel ERROR, so only
 * its errors arrive here. Its Connection logs every error response at error level, although
 * the code that sent the request handles it (retries, rejoins a rebalancing group) and logs
 * again if that fails; those arrive as warnings.
 */
export function kafkajsLogCreator(logger: KafkaLogger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _name, ...extra } = log;
      const handledByCaller = namespace === "Connection" && message.startsWith("Response ");
      logger(handledByCaller ? "warn" : (LEVELS[level] ?? "error"), `kafkajs ${namespace}: ${message}`, extra);
    };
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
