import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import * as v from "valibot";

/** RFC 9457 problem details; `errors` names each bad field so a client can fix its request. */
export const ProblemSchema = v.strictObject({
  type: v.string(),
  title: v.string(),
  status: v.pipe(v.number(), v.integer()),
  detail: v.optional(v.string()),
  instance: v.optional(v.string()),
  requestId: v.optional(v.string()),
  errors: v.optional(v.array(v.strictObject({ field: v.string(), message: v.string() }))),
});
export type Problem = v.InferOutput<typeof ProblemSchema>;

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  body: Omit<Problem, "status" | "type"> & { type?: string },
  headers?: Record<string, string>,
): Response {
  const payload: Problem = { type: body.type ?? "about:blank", status, ...body, instance: c.req.path, requestId: c.get("requestId") };
  return c.body(JSON.stringify(payload), status, { "content-type": "application/problem+json", ...headers });
}
