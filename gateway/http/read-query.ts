import type { Context } from "hono";
import * as v from "valibot";
import { toValidationError } from "./read-json.ts";

/** Query-string number: the text must be a plain decimal, so "1e400", "0x10" or "" are refused, not coerced. */
export const queryNumber = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^-?\d+(\.\d+)?$/, "must be a decimal number"),
    v.transform(Number),
    v.finite(),
    v.minValue(min),
    v.maxValue(max),
  );

export const queryInteger = (min: number, max: number) =>
  v.pipe(v.string(), v.regex(/^\d+$/, "must be a whole number"), v.transform(Number), v.integer(), v.minValue(min), v.maxValue(max));

/** Parses the query string against a schema; a flaw is a 400 problem naming the parameter. */
export function readQuery<S extends v.GenericSchema<Record<string, string | undefined>, unknown>>(c: Context, schema: S): v.InferOutput<S> {
  const result = v.safeParse(schema, c.req.query());
  if (!result.success) throw toValidationError(result.issues, "query", 400);
  return result.output;
}
