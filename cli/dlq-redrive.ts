import { HEADER_ID } from "../shared/events/envelope.ts";
import { dlqTopicOf } from "../shared/events/topics.ts";
import type { OutgoingRecord } from "../shared/log/event-log.ts";
import { DLQ_HEADERS } from "../workers/runtime/dead-letter.ts";
import type { PreparedCommand } from "./context.ts";
import { typeOf } from "./format.ts";
import { readToEnd } from "./read-topic.ts";
import { expectPositionals, parseCommandArgs } from "./usage.ts";

const USAGE = "fleet dlq redrive <topic> [--key K] [--type T] [--dry-run]";
const CHUNK = 500;
const DLQ_HEADER_NAMES = new Set<string>(Object.values(DLQ_HEADERS));

/**
 * Republishes dead letters to their source topic exactly as first consumed: key, value
 * and headers without the dlq-* ones. The value keeps its event id, so consumers that
 * already applied an event skip it, and redriving the same dead letter twice is harmless.
 * It reads the dead-letter topic as it is at the start, so one that fails again (and is
 * dead-lettered again) is not redriven in the same run.
 */
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
    const chosen: OutgoingRecord[] = [];
    let read = 0;
    await readToEnd(
      log,
      dlq,
      (r) => {
        if (++read % 1000 === 0) out(`read ${read} dead letters…`);
        if (values.key !== undefined && r.key !== values.key) return;
        if (values.type !== undefined && typeOf(r) !== values.type) return;
        const headers = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !DLQ_HEADER_NAMES.has(k)));
        chosen.push({ topic, key: r.key, value: r.value, headers });
        if (values["dry-run"])
          out(`would redrive ${dlq}[${r.partition}]@${r.offset} ${typeOf(r)} key=${r.key} id=${headers[HEADER_ID] ?? "?"}`);
      },
      signal,
    );
    out(`${chosen.length} of ${read} dead letter(s) in ${dlq} match`);
    if (values["dry-run"]) {
      out("dry run: nothing published");
      return;
    }
    const publisher = log.publisher();
    for (let i = 0; i < chosen.length; i += CHUNK) {
      if (signal?.aborted) throw new Error(`interrupted after redriving ${i} of ${chosen.length} to ${topic}`);
      await publisher.publish(chosen.slice(i, i + CHUNK));
      out(`redriven ${Math.min(i + CHUNK, chosen.length)}/${chosen.length} to ${topic}`);
    }
  };
}
