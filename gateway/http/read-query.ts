import type { Context } from "hono";
import * as v from "valibot";
import { toValidationError } from "./read-json.ts";

/**
 * How the OpenAPI document shows a query parameter: the value it stands for (a number
 * from min to max), not the text the pipe checks first (gateway/openapi/build-document.ts).
 * Metadata only: parsing skips it.
 */
export const documentedAs = (schema: Record<string, unknown>) =>
  v.metadata<string, { documentedAs: Record<string, unknown> }>({ documentedAs: schema });

/** Query-string number: the text must be a plain decimal, so "1e400", "0x10" or "" are refused, not coerced. */
export const queryNumber = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^-?\d+(\.\d+)?$/, "must be a decimal number"),
    documentedAs({ type: "number", minimum: min, maximum: max }),
    v.transform(Number),
    v.finite(),
    v.minValue(min),
    v.maxValue(max),
  );

export const queryInteger = (min: number, max: number) =>
  v.pipe(
    v.string(),
    v.regex(/^\d+$/, "must be a whole number"),
    documentedAs({ type: "integer", minimum: min, maximum: max }),
    v.transform(Number),
    v.integer(),
    v.minValue(min),
    v.maxValue(max),
  );

/** Parses the query string against a schema; a flaw is a 400 problem naming the parameter. */
export function readQuery<S extends v.GenericSchema<Record<string, string | undefined>, unknown>>(c: Context, schema: S): v.InferOutput<S> {
  const result = v.safeParse(schema, c.req.query());
  if (!result.success) throw toValidationError(result.issues, "query", 400);
  return result.output;
}
