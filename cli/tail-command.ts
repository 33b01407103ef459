import type { PreparedCommand } from "./context.ts";
import { describeRecord } from "./format.ts";
import { aborted, throwawayGroup } from "./read-topic.ts";
import { expectPositionals, parseCommandArgs, parseCount } from "./usage.ts";

export const TAIL_USAGE = "fleet tail <topic> [--from-beginning] [--count N]";

/** Prints records as they arrive through a group of its own, until N were printed or Ctrl-C. */
export function prepareTail(args: string[]): PreparedCommand {
  const { positionals, values } = parseCommandArgs(args, { "from-beginning": { type: "boolean" }, count: { type: "string" } }, TAIL_USAGE);
  expectPositionals(positionals, 1, 1, TAIL_USAGE);
  const count = parseCount(values.count, "--count", TAIL_USAGE);
  const topic = positionals[0]!;
  return async ({ log, out, signal }) => {
    let printed = 0;
    const enough = Promise.withResolvers<void>();
    const sub = await log.subscriber().subscribe({
      group: throwawayGroup("tail"),
      topics: [topic],
      fromBeginning: values["from-beginning"] ?? false,
      handler: async (batch) => {
        for (const r of batch.records) {
          if (count !== undefined && printed >= count) return;
          out(describeRecord(r));
          if (++printed === count) enough.resolve();
        }
      },
    });
    try {
      await Promise.race([enough.promise, sub.done, aborted(signal)]);
    } finally {
      await sub.stop();
    }
  };
}
