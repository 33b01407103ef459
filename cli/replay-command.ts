import type { PartitionLag, ResetTarget } from "../shared/log/event-log.ts";
import type { PreparedCommand } from "./context.ts";
import { table } from "./format.ts";
import { resolveGroups } from "./lag-command.ts";
import { throwawayGroup } from "./read-topic.ts";
import { expectPositionals, parseCommandArgs, UsageError } from "./usage.ts";

export const REPLAY_USAGE = "fleet replay <group> --to earliest|<ISO time>|<offset> [--topic T]... [--dry-run]";

export function parseTarget(raw: string | undefined): ResetTarget {
  if (raw === undefined) throw new UsageError("--to is required", REPLAY_USAGE);
  if (raw === "earliest") return { to: "earliest" };
  if (/^\d+$/.test(raw)) return { to: "offset", offset: Number(raw) };
  // Only full ISO dates: Date.parse also accepts loose strings like "5" or "May".
  const timestamp = /^\d{4}-\d{2}-\d{2}/.test(raw) ? Date.parse(raw) : Number.NaN;
  if (Number.isNaN(timestamp)) throw new UsageError(`--to must be earliest, an ISO time or an offset, got "${raw}"`, REPLAY_USAGE);
  return { to: "timestamp", timestamp };
}

/**
 * Moves a group's committed offsets so its worker processes the records again (consumers
 * dedupe by event id). The group must be idle: the admin refuses a group with members.
 */
export function prepareReplay(args: string[]): PreparedCommand {
  const { positionals, values } = parseCommandArgs(
    args,
    { to: { type: "string" }, topic: { type: "string", multiple: true }, "dry-run": { type: "boolean" } },
    REPLAY_USAGE,
  );
  expectPositionals(positionals, 1, 1, REPLAY_USAGE);
  const target = parseTarget(values.to);
  return async ({ log, out, catalogue }) => {
    const [{ group, topics }] = resolveGroups(catalogue, positionals[0], values.topic, REPLAY_USAGE) as [
      { group: string; topics: string[] },
    ];
    const admin = log.admin();
    const before = await admin.lag(group, topics);
    if (values["dry-run"]) {
      // The adapter resolves the target (clamping, timestamps) on a group nobody reads, so the named group is untouched.
      const shadow = throwawayGroup("replay-dry-run");
      for (const topic of topics) await admin.resetOffsets(shadow, topic, target);
      printMoves(out, before, await admin.lag(shadow, topics));
      out(`dry run: group ${group} was not changed`);
      return;
    }
    for (const topic of topics) {
      try {
        await admin.resetOffsets(group, topic, target);
      } catch (err) {
        throw new Error(`replay of group "${group}" on "${topic}" refused: ${(err as Error).message}`, { cause: err });
      }
    }
    printMoves(out, before, await admin.lag(group, topics));
    out(`group ${group} moved; its workers reprocess from there on their next start`);
  };
}

function printMoves(out: (line: string) => void, before: PartitionLag[], after: PartitionLag[]): void {
  const rows = after.map((a) => {
    const b = before.find((p) => p.topic === a.topic && p.partition === a.partition);
    const committed = b && b.committed >= 0 ? b.committed : "-";
    return [a.topic, a.partition, committed, a.committed, a.end, a.lag];
  });
  for (const line of table([["topic", "partition", "current", "target", "end", "lag after"], ...rows])) out(line);
}
