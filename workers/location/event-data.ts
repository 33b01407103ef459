import { NonRetriableError } from "../../shared/errors/errors.ts";
import {
  type ContractedType,
  checkEventData,
  describeIssues,
  EVENT_CONTRACTS,
  type EventDataOf,
} from "../../shared/events/event-contracts.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

/**
 * The event's data, checked as its consumer's contract says (shared/events/event-contracts.ts,
 * the same check the gateway runs before it publishes), for the one type a worker handles.
 * Anything else cannot be fixed by retrying — an unknown type or a newer version from a
 * producer deployed ahead of this worker, data the schema refuses — so it is
 * NonRetriableError: dead-lettered with its position, ready to redrive once the worker understands it.
 */
export function eventData<K extends ContractedType>(e: ConsumedEvent, type: K): EventDataOf<K> {
  const where = `${e.record.topic}/${e.record.partition}@${e.record.offset}`;
  if (e.type !== type)
    throw new NonRetriableError(`${where}: expected ${type} v${EVENT_CONTRACTS[type].version}, got ${e.type} v${e.version}`);
  const checked = checkEventData(e);
  if (!checked.ok) throw new NonRetriableError(`${where}: invalid ${e.type} v${e.version}: ${describeIssues(checked.issues)}`);
  return checked.data as EventDataOf<K>;
}
