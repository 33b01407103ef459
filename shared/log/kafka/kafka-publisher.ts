import type { Message, Producer } from "kafkajs";
import { BackpressureError, NonRetriableError, RetryableError } from "../../errors/errors.ts";
import type { OutgoingRecord, Publisher } from "../event-log.ts";
import { errorText } from "./kafka-logging.ts";

export interface PublisherOptions {
  /** Records queued or in flight before publish() rejects with BackpressureError. */
  maxBufferedRecords: number;
  /** A send starts at once when this many records are queued; it is also the size of one send. */
  flushAtRecords: number;
  /** How long a record may wait for others to join its send. */
  lingerMs: number;
}

/** The part of a kafkajs producer the publisher uses; tests pass a fake. */
export type BatchSender = Pick<Producer, "sendBatch" | "disconnect">;

interface Pending {
  records: OutgoingRecord[];
  resolve: () => void;
  reject: (err: Error) => void;
}

const RETRY_AFTER_MS = 1000;

/**
 * kafkajs has no linger, so batching happens here: publish() only enqueues, and a single
 * drain loop sends what is queued with one sendBatch (acks -1) at a time. One send in flight
 * keeps per-key order even when kafkajs retries a send internally.
 */
export function createKafkaPublisher(producer: BatchSender, opts: PublisherOptions): Publisher {
  const queue: Pending[] = [];
  let queued = 0;
  let inFlight = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let sending: Promise<void> | undefined;
  let closing: Promise<void> | undefined;

  function kick(flushNow = false): void {
    if (sending || queue.length === 0) return;
    if (flushNow || closing || queued >= opts.flushAtRecords) {
      clearTimeout(timer);
      timer = undefined;
      sending = drain().finally(() => {
        sending = undefined;
        kick();
      });
    } else {
      timer ??= setTimeout(() => {
        timer = undefined;
        kick(true);
      }, opts.lingerMs);
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = takeUpTo(opts.flushAtRecords);
      const count = batch.reduce((n, p) => n + p.records.length, 0);
      queued -= count;
      inFlight += count;
      const failures = await send(batch);
      // Free the buffer before settling, so a caller that awaited its publish can publish again at once.
      inFlight -= count;
      for (const [i, p] of batch.entries()) failures[i] ? p.reject(failures[i]) : p.resolve();
    }
  }

  function takeUpTo(limit: number): Pending[] {
    const batch: Pending[] = [];
    let n = 0;
    while (queue.length > 0 && (n === 0 || n + queue[0]!.records.length <= limit)) {
      const p = queue.shift()!;
      n += p.records.length;
      batch.push(p);
    }
    return batch;
  }

  /** One failure per publish call, undefined where it succeeded. A non-retriable failure of a shared send is retried per call, so one bad call cannot fail its neighbours. */
  async function send(batch: Pending[]): Promise<(Error | undefined)[]> {
    try {
      await producer.sendBatch({ acks: -1, topicMessages: toTopicMessages(batch.flatMap((p) => p.records)) });
      return batch.map(() => undefined);
    } catch (err) {
      const failure = publishError(err);
      if (batch.length === 1 || !(failure instanceof NonRetriableError)) return batch.map(() => failure);
      const failures: (Error | undefined)[] = [];
      for (const p of batch) failures.push(...(await send([p])));
      return failures;
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
      if (queued + inFlight + records.length > opts.maxBufferedRecords) {
        return Promise.reject(
          new BackpressureError(
            `producer buffer full: ${queued + inFlight} of ${opts.maxBufferedRecords} records buffered`,
            RETRY_AFTER_MS,
          ),
        );
      }
      return new Promise<void>((resolve, reject) => {
        queue.push({ records, resolve, reject });
        queued += records.length;
        kick();
      });
    },
    close() {
      closing ??= (async () => {
        kick(true);
        while (sending) await sending;
        await producer.disconnect();
      })();
      return closing;
    },
  };
}

function toTopicMessages(records: OutgoingRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    const messages = byTopic.get(r.topic) ?? [];
    if (messages.length === 0) byTopic.set(r.topic, messages);
    messages.push({ key: r.key, value: r.value, headers: r.headers });
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
