import { and, eq, gt, lt, or, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { ValidationError } from "../errors/errors.ts";

/*
 * Opaque keyset cursors for lists ordered by (time, id): the cursor carries the last
 * row returned and the list it belongs to, so the next page neither repeats nor skips
 * rows while the list changes underneath. A cursor from another list, or damaged, is a
 * ValidationError on `cursor`.
 */

export interface PageKey {
  /** The sort time of the last row returned, ISO-8601 as stored. */
  at: string;
  id: string;
}

export function encodeCursor(list: string, key: PageKey): string {
  return btoa(JSON.stringify({ l: list, a: key.at, i: key.id }))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "");
}

export function decodeCursor(cursor: string, list: string): PageKey {
  let body: { l?: unknown; a?: unknown; i?: unknown } | null = null;
  try {
    body = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
  } catch {
    // Falls through to the one error below: a client only needs to know the cursor is not ours.
  }
  if (!body || body.l !== list || typeof body.a !== "string" || typeof body.i !== "string")
    throw new ValidationError("cursor is invalid", [{ field: "cursor", message: "is not a cursor returned for this list" }], 400);
  return { at: body.a, id: body.i };
}

/** Page size for lists: 20 unless asked, at most 100. */
export const DEFAULT_LIST_PAGE = 20;
export const MAX_LIST_PAGE = 100;

/** The rows after `key` in a list ordered by (at, id), ascending or descending; undefined on the first page. */
export function pastKey(at: SQLiteColumn, id: SQLiteColumn, key: PageKey | undefined, order: "asc" | "desc"): SQL | undefined {
  if (!key) return undefined;
  const beyond = order === "asc" ? gt : lt;
  return or(beyond(at, key.at), and(eq(at, key.at), beyond(id, key.id)));
}
