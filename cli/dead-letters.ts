import { HEADER_ID } from "../shared/events/envelope.ts";
import { dlqTopicOf } from "../shared/events/topics.ts";
import type { DeliveredRecord, EventLog, OutgoingRecord } from "../shared/log/event-log.ts";
import { DLQ_HEADERS } from "../workers/runtime/dead-letter.ts";
import { typeOf } from "./format.ts";
import { readToEnd, throwawayGroup } from "./read-topic.ts";

/**
 * Dead letters as data: what `fleet dlq` prints and what the gateway's operator routes
 * answer (gateway/routes/operator-dead-letters.ts) are both read here.
 */

/** A dead letter: where it sits in `<topic>.dlq`, why its consumer gave up, and the original record. */
export interface DeadLetter {
  partition: number;
  offset: number;
  key: string;
  /** When the dead letter was appended to `<topic>.dlq`. */
  appendedAt: string;
  type: string;
  eventId: string | null;
  failedAt: string | null;
  attempts: number | null;
  group: string | null;
  error: string;
  /** Where the original was consumed from. */
  source: { topic: string; partition: number; offset: number } | null;
  /** The original record's value, as the consumer received it. */
  value: string;
  /** Every header: the original's and the dlq-* ones. */
  headers: Record<string, string>;
}

const DLQ_HEADER_NAMES = new Set<string>(Object.values(DLQ_HEADERS));
const CHUNK = 500;

export function deadLetterOf(r: DeliveredRecord): DeadLetter {
  const h = r.headers;
  const num = (name: string) => (h[name] === undefined ? null : Number(h[name]));
  const sourceTopic = h[DLQ_HEADERS.topic];
  return {
    partition: r.partition,
    offset: r.offset,
    key: r.key,
    appendedAt: new Date(r.timestamp).toISOString(),
    type: typeOf(r),
    eventId: h[HEADER_ID] ?? null,
    failedAt: h[DLQ_HEADERS.failedAt] ?? null,
    attempts: num(DLQ_HEADERS.attempts),
    group: h[DLQ_HEADERS.group] ?? null,
    error: `${h[DLQ_HEADERS.errorName] ?? "?"}: ${h[DLQ_HEADERS.errorMessage] ?? ""}`,
    source:
      sourceTopic === undefined ? null : { topic: sourceTopic, partition: num(DLQ_HEADERS.partition)!, offset: num(DLQ_HEADERS.offset)! },
    value: r.value,
    headers: h,
  };
}

/** Every dead letter of `topic` retained now, in offset order per partition. */
export async function listDeadLetters(log: EventLog, topic: string, signal?: AbortSignal): Promise<DeadLetter[]> {
  const found: DeadLetter[] = [];
  await readToEnd(log, dlqTopicOf(topic), (r) => void found.push(deadLetterOf(r)), signal);
  return found;
}

/** How many dead letters each topic's `.dlq` retains (offsets only: nothing is read). */
export async function countDeadLetters(log: EventLog, topics: readonly string[]): Promise<Record<string, number>> {
  // A group that never committed lags by exactly the retained records.
  const parts = await log.admin().lag(throwawayGroup("dlq-count"), topics.map(dlqTopicOf));
  return Object.fromEntries(topics.map((t) => [t, parts.filter((p) => p.topic === dlqTopicOf(t)).reduce((n, p) => n + p.lag, 0)]));
}

/** The dead letter at this position, or undefined. Dead-letter topics are small (failures only, 14 days): scanning beats another port method. */
export async function findDeadLetter(
  log: EventLog,
  topic: string,
  at: { partition: number; offset: number },
  signal?: AbortSignal,
): Promise<DeadLetter | undefined> {
  let found: DeliveredRecord | undefined;
  await readToEnd(log, dlqTopicOf(topic), (r) => void (r.partition === at.partition && r.offset === at.offset && (found = r)), signal);
  return found && deadLetterOf(found);
}

export interface RedriveFilter {
  key?: string;
  type?: string;
  dryRun?: boolean;
}

export interface RedriveReport {
  read: number;
  /** The dead letters the filter chose, in the order they are (or would be) republished. */
  matched: DeadLetter[];
  redriven: number;
}

/**
 * Republishes dead letters to their source topic exactly as first consumed: key, value
 * and headers without the dlq-* ones. The value keeps its event id, so consumers that
 * already applied an event skip it, and redriving the same dead letter twice is harmless.
 * It reads the dead-letter topic as it is at the start, so one that fails again (and is
 * dead-lettered again) is not redriven in the same run. `progress` hears about long runs.
 */
export async function redriveDeadLetters(
  log: EventLog,
  topic: string,
  filter: RedriveFilter,
  progress: (line: string) => void = () => {},
  signal?: AbortSignal,
): Promise<RedriveReport> {
  const matched: DeadLetter[] = [];
  let read = 0;
  await readToEnd(
    log,
    dlqTopicOf(topic),
    (r) => {
      if (++read % 1000 === 0) progress(`read ${read} dead letters…`);
      if (filter.key !== undefined && r.key !== filter.key) return;
      if (filter.type !== undefined && typeOf(r) !== filter.type) return;
      matched.push(deadLetterOf(r));
    },
    signal,
  );
  if (filter.dryRun) return { read, matched, redriven: 0 };
  const records: OutgoingRecord[] = matched.map((d) => ({
    topic,
    key: d.key,
    value: d.value,
    headers: Object.fromEntries(Object.entries(d.headers).filter(([k]) => !DLQ_HEADER_NAMES.has(k))),
  }));
  const publisher = log.publisher();
  for (let i = 0; i < records.length; i += CHUNK) {
    if (signal?.aborted) throw new Error(`interrupted after redriving ${i} of ${records.length} to ${topic}`);
    await publisher.publish(records.slice(i, i + CHUNK));
    progress(`redriven ${Math.min(i + CHUNK, records.length)}/${records.length} to ${topic}`);
  }
  return { read, matched, redriven: records.length };
}
