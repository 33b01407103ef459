import * as v from "valibot";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/**
 * Parses a process's environment once, at its entry point. Every problem is reported
 * at once, each naming its variable, so a deploy fails fast with a fixable message.
 */
export function parseConfig<S extends v.GenericSchema<Record<string, string | undefined>, unknown>>(
  schema: S,
  env: Record<string, string | undefined>,
): v.InferOutput<S> {
  const empty = Object.fromEntries(Object.entries(env).filter(([, val]) => val !== undefined && val !== ""));
  const result = v.safeParse(schema, empty);
  if (result.success) return result.output;
  const lines = result.issues.map((i) => `  ${v.getDotPath(i) ?? "(environment)"}: ${i.message} (got ${JSON.stringify(i.input)})`);
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
}

/** For entry points: a bad environment ends the process with the message, not a stack trace. */
export function parseConfigOrExit<S extends v.GenericSchema<Record<string, string | undefined>, unknown>>(
  schema: S,
  env: Record<string, string | undefined>,
  processName: string,
): v.InferOutput<S> {
  try {
    return parseConfig(schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${processName}: ${err.message}\n`);
    process.exit(2);
  }
}
