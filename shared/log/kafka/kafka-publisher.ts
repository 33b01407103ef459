import type { Message, Producer } from "kafkajs";
import { BackpressureError, NonRetriableError, RetryableError } from "../../errors/errors.ts";
import type { OutgoingRecord, Publisher } from "../event-log.ts";
import { partitionFor } from "../partition.ts";
import { errorText } from "./kafka-logging.ts";
import { createPartitionCounts, type PartitionCount } from "./partition-counts.ts";

export interface PublisherOptions {
  /** Records queued or in flight before publish() rejects with BackpressureError. */
  maxBufferedRecords: number;
  /** Most records in one send; a send starts at once when this many are waiting. */
  flushAtRecords: number;
  /** How long waiting records may wait for others to join their send (0: none). One timer per publisher, not per record. */
  lingerMs: number;
  /** Partitions of a topic, from the broker's metadata (cached here). */
  partitionCount: PartitionCount;
}

/** The part of a kafkajs producer the publisher uses; tests pass a fake. */
export type BatchSender = Pick<Producer, "sendBatch" | "disconnect">;

/** One publish() call: settles once each of its records was acked or failed. */
interface Call {
  records: OutgoingRecord[];
  unsettled: number;
  error?: Error;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Entry {
  message: Message & { partition: number };
  topic: string;
  call: Call;
}

/** A partition's queue: its records go out in publish order, one send at a time. */
interface Lane {
  topic: string;
  queue: Entry[];
  head: number;
  busy: boolean;
}

const RETRY_AFTER_MS = 1000;

/**
 * kafkajs has no linger and no per-partition ordering of concurrent sends, so both live
 * here: publish() places each record on its partition's lane (Kafka's partitioner,
 * computed here: shared/log/partition.ts) and returns; a send takes what waits on every
 * lane that has nothing in flight, as one sendBatch (acks -1). So sends to different
 * partitions run concurrently while each partition has at most one send in flight — which
 * keeps per-key order even when kafkajs retries a send — and records arriving meanwhile
 * form the next batch of their partition. A publish resolves once all its records are acked.
 */
export function createKafkaPublisher(producer: BatchSender, opts: PublisherOptions): Publisher {
  const lanes = new Map<string, Lane>();
  /** Lanes with waiting records and no send in flight, oldest first. */
  const ready = new Set<Lane>();
  const partitions = createPartitionCounts(opts.partitionCount);
  /** Calls waiting for a topic's partition count, in publish order: nothing overtakes them. */
  const admitting: Call[] = [];
  let readyRecords = 0;
  let buffered = 0;
  let inFlight = 0;
  let scheduled = false;
  let lingerTimer: ReturnType<typeof setTimeout> | undefined;
  let lingerDone = false;
  const idleWaiters: (() => void)[] = [];
  let closing: Promise<void> | undefined;

  const laneOf = (topic: string, partition: number): Lane => {
    const id = `${partition}\u0000${topic}`;
    let lane = lanes.get(id);
    if (!lane) lanes.set(id, (lane = { topic, queue: [], head: 0, busy: false }));
    return lane;
  };

  function place(call: Call): void {
    for (const r of call.records) {
      const partition = partitionFor(r.key, partitions.known(r.topic)!);
      const lane = laneOf(r.topic, partition);
      lane.queue.push({ topic: r.topic, call, message: { key: r.key, value: r.value, headers: r.headers, partition } });
      if (!lane.busy) ready.add(lane);
    }
    readyRecords += call.records.length;
    schedule();
  }

  /** Places waiting calls in publish order as their topics' partition counts become known; a failed lookup fails the calls that waited for it. */
  function admit(): void {
    while (admitting.length > 0) {
      const missing = admitting[0]!.records.find((r) => partitions.known(r.topic) === undefined)?.topic;
      if (missing === undefined) {
        place(admitting.shift()!);
        continue;
      }
      partitions.load(missing).then(admit, (err: unknown) => {
        const failure = new RetryableError(`kafka publish failed: no partitions known for ${missing}: ${errorText(err)}`, RETRY_AFTER_MS, {
          cause: err,
        });
        for (const call of admitting.filter((c) => c.records.some((r) => r.topic === missing))) {
          admitting.splice(admitting.indexOf(call), 1);
          buffered -= call.records.length;
          call.reject(failure);
        }
        whenIdle();
        admit();
      });
      return;
    }
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(pump);
  }

  function pump(): void {
    scheduled = false;
    if (readyRecords === 0) return;
    if (opts.lingerMs > 0 && !closing && !lingerDone && readyRecords < opts.flushAtRecords) {
      lingerTimer ??= setTimeout(() => {
        lingerTimer = undefined;
        lingerDone = true;
        pump();
      }, opts.lingerMs);
      return;
    }
    clearTimeout(lingerTimer);
    lingerTimer = undefined;
    lingerDone = false;
    while (ready.size > 0) {
      const entries: Entry[] = [];
      const taken: Lane[] = [];
      for (const lane of ready) {
        if (entries.length >= opts.flushAtRecords) break;
        const end = Math.min(lane.queue.length, lane.head + opts.flushAtRecords - entries.length);
        for (let i = lane.head; i < end; i++) entries.push(lane.queue[i]!);
        lane.head = end;
        if (lane.head === lane.queue.length) {
          lane.queue = [];
          lane.head = 0;
        }
        lane.busy = true;
        ready.delete(lane);
        taken.push(lane);
      }
      readyRecords -= entries.length;
      inFlight++;
      void send(entries).finally(() => {
        inFlight--;
        for (const lane of taken) {
          lane.busy = false;
          if (lane.head < lane.queue.length) ready.add(lane);
        }
        if (ready.size > 0) schedule();
        whenIdle();
      });
    }
  }

  /** Sends the entries and settles their calls. A non-retriable failure of a send shared by several calls is retried per call, so one bad call cannot fail its neighbours. */
  async function send(entries: Entry[]): Promise<void> {
    try {
      await producer.sendBatch({ acks: -1, topicMessages: topicMessages(entries) });
      settle(entries, undefined);
    } catch (err) {
      const failure = publishError(err);
      const calls = [...new Set(entries.map((e) => e.call))];
      if (calls.length === 1 || !(failure instanceof NonRetriableError)) return settle(entries, failure);
      for (const call of calls) await send(entries.filter((e) => e.call === call));
    }
  }

  /** Wakes close() once nothing is waiting or in flight. */
  function whenIdle(): void {
    if (admitting.length > 0 || readyRecords > 0 || inFlight > 0) return;
    for (const wake of idleWaiters.splice(0)) wake();
  }

  function settle(entries: Entry[], failure: Error | undefined): void {
    // Free the buffer before settling, so a caller that awaited its publish can publish again at once.
    buffered -= entries.length;
    for (const { call } of entries) {
      if (failure) call.error ??= failure;
      if (--call.unsettled === 0) call.error ? call.reject(call.error) : call.resolve();
    }
  }

  return {
    publish(records) {
      if (closing) return Promise.reject(new Error("publisher is closed"));
      if (records.length === 0) return Promise.resolve();
      if (records.length > opts.maxBufferedRecords) {
        return Promise.reject(
          new RangeError(`publish of ${records.length} records exceeds maxBufferedRecords (${opts.maxBufferedRecords}); split it`),
        );
      }
      if (buffered + records.length > opts.maxBufferedRecords) {
        return Promise.reject(
          new BackpressureError(`producer buffer full: ${buffered} of ${opts.maxBufferedRecords} records buffered`, RETRY_AFTER_MS),
        );
      }
      buffered += records.length;
      return new Promise<void>((resolve, reject) => {
        const call: Call = { records, unsettled: records.length, resolve, reject };
        if (admitting.length === 0 && records.every((r) => partitions.known(r.topic) !== undefined)) return place(call);
        admitting.push(call);
        if (admitting.length === 1) admit();
      });
    },
    close() {
      closing ??= (async () => {
        const drained = new Promise<void>((resolve) => idleWaiters.push(resolve));
        // A lingering batch goes out now.
        pump();
        whenIdle();
        await drained;
        await producer.disconnect();
      })();
      return closing;
    },
  };
}

function topicMessages(entries: Entry[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const e of entries) {
    const messages = byTopic.get(e.topic);
    if (messages) messages.push(e.message);
    else byTopic.set(e.topic, [e.message]);
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** kafkajs marks errors retriable or not; the cause chain holds the broker's verdict when its own retries ran out. */
function publishError(err: unknown): Error {
  let root: unknown = err;
  while (root instanceof Error && root.cause) root = root.cause;
  const retriable = (root as { retriable?: boolean }).retriable !== false;
  const message = `kafka publish failed: ${errorText(err)}`;
  return retriable ? new RetryableError(message, RETRY_AFTER_MS, { cause: err }) : new NonRetriableError(message, { cause: err });
}
