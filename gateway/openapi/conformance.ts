import Ajv2020, { type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { createParser, type EventSourceMessage } from "eventsource-parser";

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
 * against the documented schema (ajv, JSON Schema 2020-12 with formats); of a
 * text/event-stream, each message, its data parsed as JSON. Remembers which
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

  /** The operation answering `method path` with `status`, and where its body's schema for `media` sits; or what is wrong. */
  const locate = (method: string, url: string, status: number, media: string | null) => {
    const path = new URL(url, "http://x").pathname;
    const route = routes.find((r) => r.pattern.test(path) && r.ops[method.toLowerCase()]);
    const where = `${method} ${path} → ${status}`;
    if (!route) return { where, issues: [`${where}: no such operation in the document`] };
    const op = route.ops[method.toLowerCase()]!;
    seen.add(`${op.operationId} ${status}`);
    const response = op.responses[String(status)];
    if (!response)
      return {
        where,
        issues: [`${where}: status not documented for ${op.operationId} (documented: ${Object.keys(op.responses).join(", ")})`],
      };
    if (!response.content) return { where, issues: [], bodiless: true };
    if (!media || !response.content[media])
      return {
        where,
        issues: [`${where}: content-type ${media} not documented (documented: ${Object.keys(response.content).join(", ")})`],
      };
    const pointer = ["paths", route.template, method.toLowerCase(), "responses", String(status), "content", media, "schema"]
      .map((s) => `/${s.replaceAll("~", "~0").replaceAll("/", "~1")}`)
      .join("");
    return { where, issues: [], pointer };
  };

  const validate = (pointer: string, value: unknown, where: string): string[] => {
    const validator = validatorAt(pointer);
    if (validator(value)) return [];
    return (validator.errors ?? []).map((e) => `${where}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  };

  /** Each message of a text/event-stream answer against the documented schema of one message (its `data` parsed as JSON). */
  const checkMessages = (pointer: string, messages: readonly EventSourceMessage[], where: string): string[] =>
    messages.flatMap((m, i) => {
      let data: unknown;
      try {
        data = JSON.parse(m.data);
      } catch {
        return [`${where}: event ${i} (${m.event}) data is not JSON`];
      }
      return validate(pointer, { event: m.event, ...(m.id === undefined ? {} : { id: m.id }), data }, `${where} event ${i}`);
    });

  return {
    /** What is wrong with this answer according to the document; empty when it conforms. */
    check(x: Exchange): string[] {
      const media = x.contentType ? x.contentType.split(";")[0]!.trim() : null;
      const at = locate(x.method, x.url, x.status, media);
      if (at.bodiless) return media && x.body.length > 0 ? [`${at.where}: documented without a body, got ${media}`] : [];
      if (!at.pointer) return at.issues;
      if (media === "text/event-stream") return checkMessages(at.pointer, eventsIn(x.body), at.where);
      if (!media?.endsWith("json")) return [];
      let body: unknown;
      try {
        body = JSON.parse(x.body);
      } catch {
        return [`${at.where}: body is not JSON`];
      }
      return validate(at.pointer, body, at.where);
    },
    /** What is wrong with events a test read from a 200 text/event-stream answer (a live stream it did not read to the end). */
    checkEvents(method: string, url: string, messages: readonly EventSourceMessage[]): string[] {
      const at = locate(method, url, 200, "text/event-stream");
      return at.pointer ? checkMessages(at.pointer, messages, at.where) : at.issues;
    },
    /** Every "operationId status" answered so far. */
    seen: (): ReadonlySet<string> => seen,
  };
}

export type Conformance = ReturnType<typeof createConformance>;

function eventsIn(body: string): EventSourceMessage[] {
  const out: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (e) => void out.push(e) });
  parser.feed(body);
  return out;
}

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
