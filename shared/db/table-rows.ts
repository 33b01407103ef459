import type { InValue, Row } from "@libsql/client";
import { type Column, getTableColumns, getTableName, is, SQL, type Table } from "drizzle-orm";

/*
 * A drizzle table's rows as raw statement values and back, for hot paths that write or read
 * many rows per statement: drizzle's builder re-walks the table's columns and builds an SQL
 * tree per query, which was about a tenth of the booking worker's CPU (BENCHMARKS.md, write
 * path). The conversions are drizzle's own (each column's mapToDriverValue/mapFromDriverValue,
 * its insert defaults), so a row reads back as a drizzle select would return it.
 */

interface Layout {
  name: string;
  keys: string[];
  columns: Column[];
  /** Quoted column names in `keys` order. */
  quoted: string[];
  byKey: Map<string, Column>;
}

const layouts = new WeakMap<Table, Layout>();

export function layoutOf(table: Table): Layout {
  let layout = layouts.get(table);
  if (!layout) {
    const entries = Object.entries(getTableColumns(table)) as [string, Column][];
    layout = {
      name: getTableName(table),
      keys: entries.map(([k]) => k),
      columns: entries.map(([, c]) => c),
      quoted: entries.map(([, c]) => quoteIdentifier(c.name)),
      byKey: new Map(entries),
    };
    layouts.set(table, layout);
  }
  return layout;
}

export function quoteIdentifier(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** `value` as the driver stores it in `column` (null stays null). */
export function toDriver(column: Column, value: unknown): InValue {
  return value === null ? null : (column.mapToDriverValue(value) as InValue);
}

/**
 * An insert object as values in the table's column order, missing keys filled as drizzle's
 * insert fills them (the column's default, else its defaultFn, else null). A default or
 * defaultFn that is an SQL expression has no value to bind: refused, as no table written
 * this way has one.
 */
export function insertValues<T extends Table>(table: T, row: T["$inferInsert"]): InValue[] {
  const { keys, columns, name } = layoutOf(table);
  const values: InValue[] = new Array(keys.length);
  for (let i = 0; i < keys.length; i++) {
    const column = columns[i]!;
    let value = (row as Record<string, unknown>)[keys[i]!];
    if (value === undefined) value = column.default ?? column.defaultFn?.() ?? null;
    if (is(value, SQL)) throw new Error(`${name}.${column.name}: an SQL default cannot be bound as a value`);
    values[i] = toDriver(column, value);
  }
  return values;
}

/** A row read with every column of the table, in its column order (`SELECT ${selectList(table)}`), as drizzle's select maps it. */
export function fromRow<T extends Table>(table: T, row: Row): T["$inferSelect"] {
  const { keys, columns } = layoutOf(table);
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const raw = row[i];
    out[keys[i]!] = raw === null || raw === undefined ? null : columns[i]!.mapFromDriverValue(raw);
  }
  return out as T["$inferSelect"];
}

/** Every column of the table, quoted, in its column order: what fromRow expects. */
export function selectList(table: Table): string {
  return layoutOf(table).quoted.join(", ");
}
