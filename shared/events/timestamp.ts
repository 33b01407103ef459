import * as v from "valibot";

/*
 * The one timestamp format of every event and of every time a request carries: RFC 3339
 * with seconds and an explicit offset — `2024-05-01T09:39:35Z`,
 * `2024-05-01T09:39:35.123+05:30`. valibot's isoTimestamp also takes spellings that
 * `Date.parse` reads as NaN (an hour-only offset `+05`) or reads differently per
 * runtime (`+0530`, a space for the T), and impossible days (Feb 30, which Date.parse
 * rolls over to March); a time the gateway accepts must mean one instant to every
 * worker, so those are refused rather than normalised (event schemas have no transforms).
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T([01]\d|2[0-3]):([0-5]\d):([0-5]\d)(\.\d{1,9})?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

export const TIMESTAMP_MESSAGE = "must be an ISO-8601 time with seconds and Z or a ±HH:MM offset, e.g. 2024-05-01T09:39:35Z";

/** The instant `s` names in milliseconds, or NaN unless it is an RFC 3339 time on a day that exists. */
export function parseTimestamp(s: string): number {
  const m = RFC3339.exec(s);
  if (!m) return Number.NaN;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear puts the year back.
  date.setUTCFullYear(year);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return Number.NaN;
  return Date.parse(s);
}

export function isTimestamp(s: string): boolean {
  return Number.isFinite(parseTimestamp(s));
}

/** An event's or a request's time, as a string: checks only, no transform (the wire format is the type). */
export const TimestampSchema = v.pipe(v.string(), v.check(isTimestamp, TIMESTAMP_MESSAGE));
