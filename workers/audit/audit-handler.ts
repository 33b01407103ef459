import { insertRows } from "../../shared/db/insert-rows.ts";
import type { Db } from "../../shared/db/open-libsql.ts";
import { writeTransaction } from "../../shared/db/write-transaction.ts";
import type { ConsumedEvent } from "../runtime/handler.ts";

export interface AuditDeps {
  db: Db;
}

const COLUMNS = [
  "event_id",
  "type",
  "version",
  "key",
  "topic",
  "partition",
  "offset",
  "occurred_at",
  "correlation_id",
  "source",
  "data",
] as const;

/**
 * Appends every event of the batch to the audit trail in one transaction. The event id
 * is the primary key and conflicts are ignored, so a redelivered or replayed event adds
 * nothing: the effect is idempotent by itself, without a processed_events lookup.
 */
export async function auditHandler(events: ConsumedEvent[], deps: AuditDeps): Promise<void> {
  const rows = events.map((e) => [
    e.id,
    e.type,
    e.version,
    e.key,
    e.record.topic,
    e.record.partition,
    e.record.offset,
    e.occurredAt,
    e.correlationId,
    e.source,
    JSON.stringify(e.data),
  ]);
  await writeTransaction(deps.db, (tx) => insertRows(tx, { table: "audit_events", columns: COLUMNS, rows, onConflict: "ignore" }));
}
