import type { CliContext, PreparedCommand } from "./context.ts";
import { DLQ_USAGE, prepareDlq } from "./dlq-command.ts";
import { LAG_USAGE, prepareLag } from "./lag-command.ts";
import { prepareReplay, REPLAY_USAGE } from "./replay-command.ts";
import { prepareTail, TAIL_USAGE } from "./tail-command.ts";
import { TOKEN_SUMMARY, TOKEN_USAGE } from "./token-command.ts";
import { prepareTopics, TOPICS_USAGE } from "./topics-command.ts";
import { UsageError } from "./usage.ts";

const COMMANDS: Record<string, { prepare: (args: string[]) => PreparedCommand; usage: string; summary: string }> = {
  topics: {
    prepare: prepareTopics,
    usage: TOPICS_USAGE,
    summary: "create missing catalogue topics; list partitions, retention, policy, end offsets",
  },
  lag: {
    prepare: prepareLag,
    usage: LAG_USAGE,
    summary: "committed/end/lag per partition of a group (default: every worker group), with totals",
  },
  dlq: { prepare: prepareDlq, usage: DLQ_USAGE, summary: "list, show or redrive dead letters of <topic> (read from <topic>.dlq)" },
  replay: { prepare: prepareReplay, usage: REPLAY_USAGE, summary: "move an idle group's offsets back; --dry-run shows current vs target" },
  tail: { prepare: prepareTail, usage: TAIL_USAGE, summary: "print events as they arrive, until --count N or Ctrl-C" },
};

export const USAGE = "fleet <command> [args] (fleet help lists the commands)";

export const HELP = [
  "fleet — operate the event log (Kafka/Redpanda when KAFKA_BROKERS is set, else DATA_DIR/log.db)",
  "",
  ...Object.values(COMMANDS).flatMap((c) => [`  ${c.usage}`, `      ${c.summary}`]),
  `  ${TOKEN_USAGE}`,
  `      ${TOKEN_SUMMARY}`,
  "  fleet help",
  "",
  "The embedded log (DATA_DIR/log.db) is single-process: stop `bun run dev` before using fleet on it.",
  "replay needs the group idle: stop its workers first, or the reset is refused.",
].join("\n");

export function isHelp(argv: string[]): boolean {
  return argv.length === 1 && ["help", "--help", "-h"].includes(argv[0]!);
}

/** Parses the command line without touching the log, so a typo fails at once even when the broker is down. */
export function prepareCommand(argv: string[]): PreparedCommand {
  const [name, ...args] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) throw new UsageError(name === undefined ? "missing command" : `unknown command "${name}"`, USAGE);
  return command.prepare(args);
}

/** Runs one command line in-process; the exit code is 0 on success, 2 for bad usage, 1 for a failure. */
export async function runCommand(argv: string[], ctx: CliContext & { err: (line: string) => void }): Promise<number> {
  if (isHelp(argv)) {
    ctx.out(HELP);
    return 0;
  }
  try {
    await prepareCommand(argv)(ctx);
    return 0;
  } catch (err) {
    return reportFailure(argv, err, ctx.err);
  }
}

/** The message and exit code for a command that threw: 2 with the usage line for bad usage, else 1. */
export function reportFailure(argv: string[], err: unknown, write: (line: string) => void): number {
  if (err instanceof UsageError) {
    write(`fleet: ${err.message}\nusage: ${err.usage}`);
    return 2;
  }
  write(`fleet ${argv[0]}: ${err instanceof Error ? err.message : String(err)}`);
  return 1;
}
