/**
 * A tiny structured logger: one JSON object per line, fields flat beside `level`,
 * `msg` and `time`. Lines below the configured level are dropped before any work.
 * Errors passed as field values are reduced to { name, message, stack } (JSON.stringify
 * would print `{}`). No global instance: each entry point builds one and passes it down.
 */

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line (e.g. { group }). */
  child(fields: LogFields): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Fields on every line (e.g. { process: "workers" }). */
  base?: LogFields;
  /** Receives each finished line without its newline. Default: stdout. */
  write?: (line: string) => void;
  now?: () => Date;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function createLogger(opts: LoggerOptions): Logger {
  const write = opts.write ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const now = opts.now ?? (() => new Date());
  const threshold = RANK[opts.level];

  const build = (base: LogFields): Logger => {
    const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      if (RANK[level] < threshold) return;
      write(JSON.stringify({ level, msg, time: now().toISOString(), ...base, ...fields }, replacer));
    };
    return {
      debug: emit("debug"),
      info: emit("info"),
      warn: emit("warn"),
      error: emit("error"),
      child: (fields) => build({ ...base, ...fields }),
    };
  };
  return build(opts.base ?? {});
}

/** A logger that drops everything (tests that don't assert on logs). */
export function silentLogger(): Logger {
  return createLogger({ level: "error", write: () => {} });
}

/** Reduces an error to what an operator needs, keeping the cause chain. */
export function errorFields(err: unknown): LogFields {
  if (!(err instanceof Error)) return { message: String(err) };
  const out: LogFields = { name: err.name, message: err.message, stack: err.stack };
  if (err.cause !== undefined) out.cause = errorFields(err.cause);
  return out;
}

function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return errorFields(value);
  if (typeof value === "bigint") return value.toString();
  return value;
}
