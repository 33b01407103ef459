import type { Context } from "hono";
import * as v from "valibot";
import { ValidationError } from "../../shared/errors/errors.ts";

/** Maps valibot issues to `{field, message}` with dotted paths such as `fixes.3.lat`. */
export function toValidationError(issues: v.BaseIssue<unknown>[], what: string, status: 400 | 422 = 422): ValidationError {
  const list = issues.map((i) => ({ field: v.getDotPath(i) ?? "(body)", message: i.message }));
  return new ValidationError(`${what} is invalid: ${list.map((i) => `${i.field}: ${i.message}`).join("; ")}`, list, status);
}

/** Parses the JSON body against a schema, throwing ValidationError (→ 4xx problem+json) on any flaw. */
export async function readJson<S extends v.GenericSchema>(c: Context, schema: S): Promise<v.InferOutput<S>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ValidationError("body is not valid JSON", [{ field: "(body)", message: "must be a JSON document" }], 400);
  }
  const result = v.safeParse(schema, body);
  if (!result.success) throw toValidationError(result.issues, "body");
  return result.output;
}

export function readParam<S extends v.GenericSchema<string, unknown>>(value: string, schema: S, field: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (!result.success) throw new ValidationError(`${field} is invalid`, [{ field, message: result.issues[0]!.message }], 400);
  return result.output;
}
