import { type ParseArgsConfig, parseArgs } from "node:util";

/** A bad command line: the entry point prints the message and the usage line and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly usage: string,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** node:util parseArgs in strict mode, with its errors turned into UsageErrors carrying the command's usage. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: true });
  } catch (err) {
    throw new UsageError((err as Error).message, usage);
  }
}

export function expectPositionals(positionals: string[], min: number, max: number, usage: string): void {
  if (positionals.length < min) throw new UsageError("missing argument", usage);
  if (positionals.length > max) throw new UsageError(`unexpected argument "${positionals[max]}"`, usage);
}

export function parseCount(raw: string | undefined, flag: string, usage: string): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9]\d*$/.test(raw)) throw new UsageError(`${flag} must be a positive whole number, got "${raw}"`, usage);
  return Number(raw);
}
