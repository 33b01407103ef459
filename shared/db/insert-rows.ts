import type { InValue } from "@libsql/client";
import { quoteIdentifier as quote } from "./table-rows.ts";

/** Anything that runs one raw statement: a Tx, or a Db's client. */
export interface RawExecutor {
  execute(sql: string, args?: InValue[]): Promise<unknown>;
}

/**
 * On a row whose `target` key exists: overwrite `columns` with the new row's values
 * ("replace"), or add the new values to the stored ones ("add", for counters).
 */
export interface Upsert {
  target: readonly string[];
  set: "replace" | "add";
  columns: readonly string[];
}

export interface InsertRows {
  table: string;
  columns: readonly string[];
  rows: readonly (readonly InValue[])[];
  /** "ignore": rows whose key already exists are skipped (INSERT OR IGNORE); an Upsert updates them. */
  onConflict?: "ignore" | Upsert;
  /** Rows per statement; 500 measured fastest here. */
  chunk?: number;
}

/**
 * Multi-row INSERT, the hot-path write (measured here: ~300k rows/s against ~95k for drizzle's
 * insert builder). Identifiers are quoted, values always bound as parameters.
 */
export async function insertRows(exec: RawExecutor, spec: InsertRows): Promise<void> {
  const chunk = spec.chunk ?? 500;
  const verb = spec.onConflict === "ignore" ? "INSERT OR IGNORE" : "INSERT";
  const head = `${verb} INTO ${quote(spec.table)} (${spec.columns.map(quote).join(", ")}) VALUES `;
  const tuple = `(${spec.columns.map(() => "?").join(", ")})`;
  const tail = typeof spec.onConflict === "object" ? upsertClause(spec.onConflict) : "";
  for (let i = 0; i < spec.rows.length; i += chunk) {
    const part = spec.rows.slice(i, i + chunk);
    const args: InValue[] = [];
    for (const row of part) {
      if (row.length !== spec.columns.length)
        throw new Error(`row has ${row.length} values for ${spec.columns.length} columns of ${spec.table}`);
      args.push(...row);
    }
    await exec.execute(head + Array(part.length).fill(tuple).join(", ") + tail, args);
  }
}

function upsertClause(u: Upsert): string {
  const set = u.columns.map((c) => `${quote(c)} = ${u.set === "add" ? `${quote(c)} + ` : ""}excluded.${quote(c)}`);
  return ` ON CONFLICT (${u.target.map(quote).join(", ")}) DO UPDATE SET ${set.join(", ")}`;
}
