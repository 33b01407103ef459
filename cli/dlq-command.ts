import { dlqTopicOf } from "../shared/events/topics.ts";
import type { PreparedCommand } from "./context.ts";
import { findDeadLetter, listDeadLetters } from "./dead-letters.ts";
import { prepareRedrive } from "./dlq-redrive.ts";
import { table } from "./format.ts";
import { expectPositionals, parseCommandArgs, UsageError } from "./usage.ts";

export const DLQ_USAGE =
  "fleet dlq list <topic> | dlq show <topic> <offset> [--partition P] | dlq redrive <topic> [--key K] [--type T] [--dry-run]";

export function prepareDlq(args: string[]): PreparedCommand {
  const [sub, ...rest] = args;
  switch (sub) {
    case "list":
      return prepareList(rest);
    case "show":
      return prepareShow(rest);
    case "redrive":
      return prepareRedrive(rest);
    default:
      throw new UsageError(sub === undefined ? "missing dlq command" : `unknown dlq command "${sub}"`, DLQ_USAGE);
  }
}

function prepareList(args: string[]): PreparedCommand {
  const usage = "fleet dlq list <topic>";
  const { positionals } = parseCommandArgs(args, {}, usage);
  expectPositionals(positionals, 1, 1, usage);
  const topic = positionals[0]!;
  return async ({ log, out, signal }) => {
    const found = await listDeadLetters(log, topic, signal);
    const rows = found.map((d) => [d.partition, d.offset, d.failedAt ?? "?", d.type, d.key, d.attempts ?? "?", d.group ?? "?", d.error]);
    for (const line of table([["partition", "offset", "failed at", "type", "key", "attempts", "group", "error"], ...rows])) out(line);
    out(`${found.length} dead letter(s) in ${dlqTopicOf(topic)}`);
  };
}

function prepareShow(args: string[]): PreparedCommand {
  const usage = "fleet dlq show <topic> <offset> [--partition P]";
  const { positionals, values } = parseCommandArgs(args, { partition: { type: "string", default: "0" } }, usage);
  expectPositionals(positionals, 2, 2, usage);
  const [topic, rawOffset] = positionals as [string, string];
  if (!/^\d+$/.test(rawOffset)) throw new UsageError(`offset must be a whole number, got "${rawOffset}"`, usage);
  if (!/^\d+$/.test(values.partition)) throw new UsageError(`--partition must be a whole number, got "${values.partition}"`, usage);
  const at = { partition: Number(values.partition), offset: Number(rawOffset) };
  const dlq = dlqTopicOf(topic);
  return async ({ log, out, signal }) => {
    const found = await findDeadLetter(log, topic, at, signal);
    if (!found) throw new Error(`no record at ${dlq}[${at.partition}]@${at.offset}`);
    out(`${dlq}[${at.partition}]@${at.offset} key=${found.key} appended ${found.appendedAt}`);
    out("headers:");
    for (const [k, v] of Object.entries(found.headers).sort(([a], [b]) => a.localeCompare(b))) out(`  ${k}: ${v}`);
    out("value:");
    out(prettyJson(found.value));
  };
}

function prettyJson(value: string): string {
  try {
    return JSON.stringify(JSON.parse(value), null, 2);
  } catch {
    return value;
  }
}
