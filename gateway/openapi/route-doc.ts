import type * as v from "valibot";
import type { Role } from "../auth/principal.ts";

export type AnySchema = v.GenericSchema;

/** One response of a route. JSON (`application/json`) unless `contentType` says otherwise. */
export interface ResponseDoc {
  description: string;
  /** The body's schema; for JSON the valibot schema the handler's answer `satisfies`. */
  schema?: AnySchema;
  /** The media type, or those it may be (the same schema for each). */
  contentType?: string | readonly string[];
  headers?: Record<string, { description: string; schema: AnySchema }>;
}

export interface HeaderDoc {
  description: string;
  schema: AnySchema;
  required: boolean;
}

/**
 * What the OpenAPI document says about one route (gateway/openapi/build-document.ts).
 * Written next to the route, from the very schemas the handler validates with, and
 * listed in ROUTE_DOCS (gateway/app.ts); a test fails for a route the app registers
 * without one, and for a response of the suite that the document does not describe.
 *
 * Problems every route of a kind can answer are added by the builder: 401/403 (and 429
 * for drivers and customers) behind a token, 400 for a malformed path or query, 400/413/422
 * for a body. `problems` lists the route's own (404, 503…), each with when it happens.
 */
export interface RouteDoc {
  method: "get" | "post" | "put" | "patch" | "delete";
  /** As registered with Hono (`/v1/drivers/:driverId`); the document writes `{driverId}`. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  /** The roles whose bearer token may call it, or "public" (no token). */
  access: readonly Role[] | "public";
  params?: Record<string, AnySchema>;
  /** The query-string schema the route reads with readQuery (each entry a parameter). */
  query?: { readonly entries: Record<string, AnySchema> };
  headers?: Record<string, HeaderDoc>;
  /** The JSON body schema the route reads with readJson. */
  body?: AnySchema;
  responses: Record<number, ResponseDoc>;
  problems?: Record<number, string>;
}

/** Hono's `:param` (optionally with a `{regex}`) → OpenAPI's `{param}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
}

/** Keeps the path's literal type, so `app.get(doc.path, …)` still types `c.req.param(…)`. */
export function describeRoute<const P extends string>(doc: RouteDoc & { path: P }): RouteDoc & { path: P } {
  return doc;
}
