import { dlqTopicOf } from "../shared/events/topics.ts";
import type { DeliveredRecord } from "../shared/log/event-log.ts";
import { DLQ_HEADERS } from "../workers/runtime/dead-letter.ts";
import type { PreparedCommand } from "./context.ts";
import { prepareRedrive } from "./dlq-redrive.ts";
import { table, typeOf } from "./format.ts";
import { readToEnd } from "./read-topic.ts";
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
  const dlq = dlqTopicOf(positionals[0]!);
  return async ({ log, out, signal }) => {
    const rows: (string | number)[][] = [["partition", "offset", "failed at", "type", "key", "attempts", "group", "error"]];
    await readToEnd(
      log,
      dlq,
      (r) => {
        const h = r.headers;
        rows.push([
          r.partition,
          r.offset,
          h[DLQ_HEADERS.failedAt] ?? "?",
          typeOf(r),
          r.key,
          h[DLQ_HEADERS.attempts] ?? "?",
          h[DLQ_HEADERS.group] ?? "?",
          `${h[DLQ_HEADERS.errorName] ?? "?"}: ${h[DLQ_HEADERS.errorMessage] ?? ""}`,
        ]);
      },
      signal,
    );
    for (const line of table(rows)) out(line);
    out(`${rows.length - 1} dead letter(s) in ${dlq}`);
  };
}

function prepareShow(args: string[]): PreparedCommand {
  const usage = "fleet dlq show <topic> <offset> [--partition P]";
  const { positionals, values } = parseCommandArgs(args, { partition: { type: "string", default: "0" } }, usage);
  expectPositionals(positionals, 2, 2, usage);
  const [topic, rawOffset] = positionals as [string, string];
  if (!/^\d+$/.test(rawOffset)) throw new UsageError(`offset must be a whole number, got "${rawOffset}"`, usage);
  if (!/^\d+$/.test(values.partition)) throw new UsageError(`--partition must be a whole number, got "${values.partition}"`, usage);
  const offset = Number(rawOffset);
  const partition = Number(values.partition);
  const dlq = dlqTopicOf(topic);
  return async ({ log, out, signal }) => {
    let found: DeliveredRecord | undefined;
    // Dead-letter topics are small (failures only, 14 days): scanning beats another port method.
    await readToEnd(log, dlq, (r) => void (r.partition === partition && r.offset === offset && (found = r)), signal);
    if (!found) throw new Error(`no record at ${dlq}[${partition}]@${offset}`);
    out(`${dlq}[${partition}]@${offset} key=${found.key} appended ${new Date(found.timestamp).toISOString()}`);
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
