import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** One request and its answer, as a test saw them. */
export interface Exchange {
  method: string;
  /** Path and query, e.g. /v1/drivers/nearby?lat=1 */
  url: string;
  status: number;
  contentType: string | null;
  body: string;
}

interface Operation {
  operationId: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

type Document = { paths: Record<string, Record<string, Operation>> };

/**
 * Checks answers against the OpenAPI document (tests only): the route must be in it,
 * the status documented for it, the media type the documented one, and a JSON body valid
 * against the documented schema (ajv, JSON Schema 2020-12 with formats). Remembers which
 * operation answered which status, so a test can ask what was never exercised.
 */
export function createConformance(document: Record<string, unknown>) {
  const doc = document as unknown as Document;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, "api");
  const validators = new Map<string, ValidateFunction>();
  const seen = new Set<string>();
  const routes = Object.entries(doc.paths)
    .map(([template, ops]) => ({ template, ops, pattern: templatePattern(template), params: (template.match(/\{/g) ?? []).length }))
    // A literal segment wins over a parameter (/v1/drivers/nearby before /v1/drivers/{driverId}), as in the router.
    .sort((a, b) => a.params - b.params);

  const validatorAt = (pointer: string): ValidateFunction => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.getSchema(`api#${pointer}`);
      if (!validate) throw new Error(`no schema at ${pointer}`);
      validators.set(pointer, validate);
    }
    return validate;
  };

  return {
    /** What is wrong with this answer according to the document; empty when it conforms. */
    check(x: Exchange): string[] {
      const path = new URL(x.url, "http://x").pathname;
      const method = x.method.toLowerCase();
      const route = routes.find((r) => r.pattern.test(path) && r.ops[method]);
      const where = `${x.method} ${path} → ${x.status}`;
      if (!route) return [`${where}: no such operation in the document`];
      const op = route.ops[method]!;
      seen.add(`${op.operationId} ${x.status}`);
      const response = op.responses[String(x.status)];
      if (!response) return [`${where}: status not documented for ${op.operationId} (documented: ${Object.keys(op.responses).join(", ")})`];
      const media = x.contentType ? x.contentType.split(";")[0]!.trim() : null;
      if (!response.content) return media && x.body.length > 0 ? [`${where}: documented without a body, got ${media}`] : [];
      if (!media || !response.content[media])
        return [`${where}: content-type ${media} not documented (documented: ${Object.keys(response.content).join(", ")})`];
      if (!media.endsWith("json")) return [];
      let body: unknown;
      try {
        body = JSON.parse(x.body);
      } catch {
        return [`${where}: body is not JSON`];
      }
      const pointer = ["paths", route.template, method, "responses", String(x.status), "content", media, "schema"]
        .map((s) => `/${s.replaceAll("~", "~0").replaceAll("/", "~1")}`)
        .join("");
      const validate = validatorAt(pointer);
      if (validate(body)) return [];
      return (validate.errors ?? []).map((e) => `${where}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    },
    /** Every "operationId status" answered so far. */
    seen: (): ReadonlySet<string> => seen,
  };
}

export type Conformance = ReturnType<typeof createConformance>;

function templatePattern(template: string): RegExp {
  const literal = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${literal.join("[^/]+")}$`);
}

/** Reads a Response without consuming it, for `check`. */
export async function exchangeOf(request: Request, response: Response): Promise<Exchange> {
  const url = new URL(request.url);
  return {
    method: request.method,
    url: url.pathname + url.search,
    status: response.status,
    contentType: response.headers.get("content-type"),
    body: await response.clone().text(),
  };
}
