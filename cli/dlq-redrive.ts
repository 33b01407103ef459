import { dlqTopicOf } from "../shared/events/topics.ts";
import type { PreparedCommand } from "./context.ts";
import { redriveDeadLetters } from "./dead-letters.ts";
import { expectPositionals, parseCommandArgs } from "./usage.ts";

const USAGE = "fleet dlq redrive <topic> [--key K] [--type T] [--dry-run]";

/** `fleet dlq redrive`: republishes the chosen dead letters to their source topic (dead-letters.ts says how). */
export function prepareRedrive(args: string[]): PreparedCommand {
  const { positionals, values } = parseCommandArgs(
    args,
    { key: { type: "string" }, type: { type: "string" }, "dry-run": { type: "boolean" } },
    USAGE,
  );
  expectPositionals(positionals, 1, 1, USAGE);
  const topic = positionals[0]!;
  const dlq = dlqTopicOf(topic);
  return async ({ log, out, signal }) => {
    const dryRun = values["dry-run"] ?? false;
    const report = await redriveDeadLetters(log, topic, { key: values.key, type: values.type, dryRun }, out, signal);
    if (dryRun)
      for (const d of report.matched) out(`would redrive ${dlq}[${d.partition}]@${d.offset} ${d.type} key=${d.key} id=${d.eventId ?? "?"}`);
    out(`${report.matched.length} of ${report.read} dead letter(s) in ${dlq} match`);
    if (dryRun) out("dry run: nothing published");
  };
}
