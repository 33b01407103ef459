import * as v from "valibot";
import { NonRetriableError } from "../../shared/errors/errors.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

/**
 * The event's data, checked against the schema of the one type and version a worker
 * handles. Anything else cannot be fixed by retrying — an unknown type or a newer
 * version from a producer deployed ahead of this worker — so it is NonRetriableError:
 * dead-lettered with its position, ready to redrive once the worker understands it.
 */
export function eventData<S extends v.GenericSchema>(
  e: ConsumedEvent,
  expected: { type: string; version: number; schema: S },
): v.InferOutput<S> {
  const where = `${e.record.topic}/${e.record.partition}@${e.record.offset}`;
  if (e.type !== expected.type || e.version !== expected.version) {
    throw new NonRetriableError(`${where}: expected ${expected.type} v${expected.version}, got ${e.type} v${e.version}`);
  }
  const parsed = v.safeParse(expected.schema, e.data);
  if (!parsed.success) {
    throw new NonRetriableError(
      `${where}: invalid ${e.type} data: ${parsed.issues.map((i) => `${v.getDotPath(i) ?? "(data)"}: ${i.message}`).join("; ")}`,
    );
  }
  return parsed.output;
}
