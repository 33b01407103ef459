import type { PreparedCommand } from "./context.ts";
import { duration, table } from "./format.ts";
import { throwawayGroup } from "./read-topic.ts";
import { expectPositionals, parseCommandArgs } from "./usage.ts";

export const TOPICS_USAGE = "fleet topics";

/**
 * Creates the catalogue's missing topics, then lists them. Retention and policy are the
 * catalogue's (what ensureTopics creates); partitions and offsets are the log's own.
 */
export function prepareTopics(args: string[]): PreparedCommand {
  const { positionals } = parseCommandArgs(args, {}, TOPICS_USAGE);
  expectPositionals(positionals, 0, 0, TOPICS_USAGE);
  return async ({ log, out, catalogue }) => {
    const admin = log.admin();
    await admin.ensureTopics(catalogue.topics);
    // A fresh group's lag is end - earliest per partition: the records still retained.
    const probe = throwawayGroup("topics");
    const rows: (string | number)[][] = [["topic", "partitions", "retention", "policy", "retained", "end offsets"]];
    for (const spec of catalogue.topics) {
      const parts = await admin.lag(probe, [spec.name]);
      const retained = parts.reduce((n, p) => n + p.lag, 0);
      rows.push([
        spec.name,
        parts.length,
        duration(spec.retentionMs),
        spec.cleanupPolicy,
        retained,
        parts.map((p) => `${p.partition}:${p.end}`).join(" "),
      ]);
    }
    for (const line of table(rows)) out(line);
  };
}
