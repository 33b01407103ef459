import type { CliCatalogue, PreparedCommand } from "./context.ts";
import { table } from "./format.ts";
import { expectPositionals, parseCommandArgs, UsageError } from "./usage.ts";

export const LAG_USAGE = "fleet lag [group] [--topic T]...";

/** The group named (by group or worker name) with its topics; --topic overrides them and is required for groups outside the catalogue. */
export function resolveGroups(
  catalogue: CliCatalogue,
  name: string | undefined,
  topics: string[] | undefined,
  usage: string,
): { group: string; topics: string[] }[] {
  if (name === undefined) {
    if (topics?.length) throw new UsageError("--topic needs a group", usage);
    return catalogue.groups.map((g) => ({ group: g.group, topics: [...g.topics] }));
  }
  const known = catalogue.groups.find((g) => g.group === name || g.name === name);
  if (topics?.length) return [{ group: known?.group ?? name, topics }];
  if (!known)
    throw new UsageError(
      `unknown group "${name}" (known: ${catalogue.groups.map((g) => g.group).join(", ")}); name its topics with --topic`,
      usage,
    );
  return [{ group: known.group, topics: [...known.topics] }];
}

export function prepareLag(args: string[]): PreparedCommand {
  const { positionals, values } = parseCommandArgs(args, { topic: { type: "string", multiple: true } }, LAG_USAGE);
  expectPositionals(positionals, 0, 1, LAG_USAGE);
  return async ({ log, out, catalogue }) => {
    const groups = resolveGroups(catalogue, positionals[0], values.topic, LAG_USAGE);
    let total = 0;
    for (const { group, topics } of groups) {
      const parts = await log.admin().lag(group, topics);
      const sum = parts.reduce((n, p) => n + p.lag, 0);
      total += sum;
      out(`group ${group}`);
      const rows = parts.map((p) => [p.topic, p.partition, p.committed < 0 ? "-" : p.committed, p.end, p.lag]);
      for (const line of table([["  topic", "partition", "committed", "end", "lag"], ...rows.map(([t, ...rest]) => [`  ${t}`, ...rest])]))
        out(line);
      out(`  total lag ${sum}`);
    }
    if (groups.length > 1) out(`total lag over ${groups.length} groups ${total}`);
  };
}
