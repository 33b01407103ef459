import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { ROLES } from "../auth/principal.ts";
import { ProblemSchema } from "../http/problem.ts";
import { type AnySchema, openApiPath, type RouteDoc } from "./route-doc.ts";

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

type Json = Record<string, unknown>;

const PROBLEM_TYPE = "application/problem+json";
const RETRY_AFTER = { description: "Seconds to wait before retrying", schema: { type: "integer", minimum: 1 } };

/**
 * JSON numbers are always finite, so `finite` adds nothing a client could break; a
 * `check` (a rule across fields) cannot be JSON Schema, so its message becomes the description.
 * A query parameter's text is shown as the value it stands for (read-query.ts, documentedAs).
 */
const CONVERSION: ConversionConfig = {
  target: "draft-2020-12",
  // Requests are documented as sent (a query number is text before it is parsed).
  typeMode: "input",
  ignoreActions: ["finite"],
  overrideAction: ({ valibotAction, jsonSchema }) => {
    if (valibotAction.type === "check") return { ...jsonSchema, description: (valibotAction as { message?: string }).message };
    // JSON Schema patterns are Unicode-aware ECMA-262 regexes, so a `u` flag says nothing more (free text's \P{Cc}).
    const regex = valibotAction.type === "regex" && (valibotAction as unknown as { requirement: RegExp }).requirement;
    if (regex && regex.flags === "u") return { ...jsonSchema, pattern: regex.source };
    if (valibotAction.type !== "metadata") return undefined;
    return (valibotAction as v.MetadataAction<unknown, { documentedAs?: JsonSchema }>).metadata.documentedAs;
  },
  overrideRef: ({ referenceId }) => `#/components/schemas/${referenceId}`,
};

/**
 * The OpenAPI 3.1 document of the routes, built from their RouteDocs: every schema in
 * it is converted from the valibot schema the route validates with (or answers with),
 * so the document cannot drift from the code. Built once per process, when first asked.
 * `named` schemas become components, referenced wherever the same schema object appears.
 */
export function buildOpenApiDocument(routes: readonly RouteDoc[], named: Record<string, AnySchema>, info: ApiInfo): Json {
  const definitions = { Problem: ProblemSchema, ...named };
  const config = { ...CONVERSION, definitions };
  const convert = (schema: AnySchema): JsonSchema => {
    const { $schema: _s, $defs: _d, ...rest } = toJsonSchema(schema, config);
    return rest;
  };
  const paths: Record<string, Record<string, Json>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    if (paths[path][route.method]) throw new Error(`${route.method.toUpperCase()} ${path} is described twice`);
    paths[path][route.method] = operation(route, convert);
  }
  const tags = [...new Set(routes.map((r) => r.tag))].map((name) => ({ name }));
  return {
    openapi: "3.1.0",
    info,
    tags,
    paths,
    components: {
      schemas: toJsonSchemaDefs(definitions, CONVERSION),
      securitySchemes: {
        bearerAuth: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A JWT whose `role` claim is driver, customer or operator and whose `sub` is the caller's id; each operation lists the roles it admits (`x-roles`).",
        },
      },
    },
  };
}

function operation(route: RouteDoc, convert: (s: AnySchema) => JsonSchema): Json {
  const parameters = [
    ...Object.entries(route.params ?? {}).map(([name, schema]) => ({ name, in: "path", required: true, schema: convert(schema) })),
    ...Object.entries(route.query?.entries ?? {}).map(([name, schema]) => ({
      name,
      in: "query",
      required: !isOptional(schema),
      schema: numericDefault(convert(schema)),
    })),
    ...Object.entries(route.headers ?? {}).map(([name, h]) => ({
      name,
      in: "header",
      required: h.required,
      description: h.description,
      schema: convert(h.schema),
    })),
  ];
  const responses: Record<string, Json> = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.headers && {
        headers: Object.fromEntries(
          Object.entries(r.headers).map(([name, h]) => [name, { description: h.description, schema: convert(h.schema) }]),
        ),
      }),
      ...(r.schema && {
        content: Object.fromEntries([r.contentType ?? "application/json"].flat().map((type) => [type, { schema: convert(r.schema!) }])),
      }),
    };
  }
  for (const [status, reasons] of problemsOf(route)) {
    if (responses[status]) throw new Error(`${route.operationId}: ${status} is both a response and a problem`);
    responses[status] = {
      description: reasons.join("; "),
      ...(status === 429 || status === 503 ? { headers: { "Retry-After": RETRY_AFTER } } : {}),
      content: { [PROBLEM_TYPE]: { schema: { $ref: "#/components/schemas/Problem" } } },
    };
  }
  const roles = route.access === "public" ? [] : route.access;
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, route.access === "public" ? "Public: no token." : `Roles: ${roles.join(", ")}.`]
      .filter(Boolean)
      .join("\n\n"),
    security: route.access === "public" ? [] : [{ bearerAuth: [] }],
    "x-roles": roles,
    ...(parameters.length > 0 && { parameters }),
    ...(route.body && { requestBody: { required: true, content: { "application/json": { schema: convert(route.body) } } } }),
    responses,
  };
}

/** The problems a route can answer: those of its kind (token, path, query, body) plus its own. */
function problemsOf(route: RouteDoc): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const add = (status: number, reason: string) => out.set(status, [...(out.get(status) ?? []), reason]);
  if (route.params || route.query) add(400, "a path or query parameter is invalid (`errors` names it)");
  if (route.body) {
    add(400, "the body is not JSON");
    add(413, "the body is too large");
    add(422, "the body is invalid (`errors` names each bad field)");
  }
  if (route.access !== "public") {
    add(401, "no valid bearer token");
    if (route.access.length < ROLES.length) add(403, `the caller's role is not ${route.access.join(" or ")}`);
    if (route.path.startsWith("/v1/") && route.access.some((r) => r !== "operator")) add(429, "the caller's rate limit is spent");
  }
  for (const [status, reason] of Object.entries(route.problems ?? {})) add(Number(status), reason);
  return new Map([...out].sort(([a], [b]) => a - b));
}

function isOptional(schema: AnySchema): boolean {
  return schema.type === "optional" || schema.type === "nullish" || schema.type === "undefinedable";
}

/** A query default is written as the text the parser receives ("5000"); a parameter documented as a number shows it as one. */
function numericDefault(schema: JsonSchema): JsonSchema {
  const numeric = schema.type === "number" || schema.type === "integer";
  return numeric && typeof schema.default === "string" ? { ...schema, default: Number(schema.default) } : schema;
}
