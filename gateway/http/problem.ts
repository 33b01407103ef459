import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** RFC 9457 problem details; `errors` names each bad field so a client can fix its request. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
}

export function problem(
  c: Context,
  status: ContentfulStatusCode,
  body: Omit<Problem, "status" | "type"> & { type?: string },
  headers?: Record<string, string>,
): Response {
  const payload: Problem = { type: body.type ?? "about:blank", status, ...body, instance: c.req.path, requestId: c.get("requestId") };
  return c.body(JSON.stringify(payload), status, { "content-type": "application/problem+json", ...headers });
}
