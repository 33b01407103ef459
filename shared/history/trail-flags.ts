import * as v from "valibot";
import { type FixFlag, FixFlagSchema } from "../events/driver.ts";

/**
 * How the trail stores a fix's flags: comma-separated in one nullable text column,
 * NULL for a plausible fix (nearly every row), so plausible rows cost nothing and
 * "which fixes were flagged" is `flags IS NOT NULL`.
 */
export function storedFlags(flags: readonly FixFlag[]): string | null {
  return flags.length > 0 ? flags.join(",") : null;
}

const StoredSchema = v.array(FixFlagSchema);

/** The column read back; a value this code did not write is an error, not an empty list. */
export function readFlags(stored: string | null): FixFlag[] {
  return stored === null ? [] : v.parse(StoredSchema, stored.split(","));
}
