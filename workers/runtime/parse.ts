import * as v from "valibot";
import { NonRetriableError } from "../../shared/errors/errors.ts";
import { parseEnvelope } from "../../shared/events/envelope.ts";
import type { BatchHandler, DeliveredRecord } from "../../shared/log/event-log.ts";
import type { ConsumedEvent, Handler } from "./handler.ts";

/**
 * The step from records to events: each record's value must be a valid Envelope.
 * A malformed record throws NonRetriableError naming its position, so the retry
 * layer above isolates it and dead-letters that record alone; the rest of the batch
 * reaches the handler on the next (narrower) call.
 */
export function parseEvents<D>(handler: Handler<D>, deps: D): BatchHandler {
  return async (batch) => {
    const events = batch.records.map(toConsumedEvent);
    if (events.length > 0) await handler(events, deps);
  };
}

export function toConsumedEvent(r: DeliveredRecord): ConsumedEvent {
  try {
    const envelope = parseEnvelope(r.value);
    return {
      ...envelope,
      record: { topic: r.topic, partition: r.partition, offset: r.offset, key: r.key, headers: r.headers, timestamp: r.timestamp },
    };
  } catch (err) {
    const why = v.isValiError(err)
      ? err.issues.map((i) => `${v.getDotPath(i) ?? "(value)"}: ${i.message}`).join("; ")
      : (err as Error).message;
    throw new NonRetriableError(`malformed record ${r.topic}/${r.partition}@${r.offset}: ${why}`, { cause: err });
  }
}
