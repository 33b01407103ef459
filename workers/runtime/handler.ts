import type { Envelope } from "../../shared/events/envelope.ts";
import type { BatchHandler } from "../../shared/log/event-log.ts";

/** Where a consumed event sits in the log. */
export interface RecordMeta {
  topic: string;
  partition: number;
  offset: number;
  key: string;
  headers: Record<string, string>;
  /** Broker append time, ms since epoch. */
  timestamp: number;
}

/** A parsed envelope plus the record it came from. */
export type ConsumedEvent<T = unknown> = Envelope<T> & { readonly record: RecordMeta };

/**
 * A worker's business logic: the events of one batch, all from one partition of one
 * topic, in log order. Resolve once every effect is durable; throw RetryableError when
 * a dependency is down (the batch is retried, never dead-lettered), NonRetriableError
 * when retrying cannot help (the event is dead-lettered at once), anything else to have
 * the failing event retried a few times and then dead-lettered.
 * A handler may be called again with any sub-sequence of a batch it failed on, and
 * again with events it already applied (redelivery): effects must be idempotent.
 */
export type Handler<D> = (events: ConsumedEvent[], deps: D) => Promise<void>;

/** A handler built with its deps (it keeps memory of what it did through them): it serves as a Handler of any deps. */
export type BoundHandler = (events: ConsumedEvent[]) => Promise<void>;

/** Wraps a batch handler (retry, metrics, logging) below the parse step. */
export type BatchMiddleware = (next: BatchHandler) => BatchHandler;
