import type { Context, Hono } from "hono";
import * as v from "valibot";
import type { GatewayDeps } from "../deps.ts";
import { problem } from "../http/problem.ts";
import { readParam } from "../http/read-json.ts";
import { describeRoute } from "../openapi/route-doc.ts";

const AssetNameSchema = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,100}$/, "must be a file name"));
const text = (contentType: string | string[], description: string) => ({ description, contentType, schema: v.string() });

export const pageDocs = [
  describeRoute({
    method: "get",
    path: "/docs",
    operationId: "apiDocs",
    tag: "Pages",
    summary: "Interactive API documentation (Swagger UI over /openapi.json)",
    description: "Public, like the document it shows: it holds no data. Its “Authorize” button takes a bearer token for trying calls.",
    access: "public",
    responses: { 200: text("text/html", "The page") },
  }),
  describeRoute({
    method: "get",
    path: "/console",
    operationId: "operatorConsole",
    tag: "Pages",
    summary: "The operator console",
    description:
      "The page is public and holds no data: it asks for an operator token, keeps it in the tab's sessionStorage, and sends it as `Authorization: Bearer` to the operator routes it reads.",
    access: "public",
    responses: { 200: text("text/html", "The page") },
  }),
  describeRoute({
    method: "get",
    path: "/assets/:name",
    operationId: "asset",
    tag: "Pages",
    summary: "A script or stylesheet the pages load",
    access: "public",
    params: { name: AssetNameSchema },
    responses: {
      200: text(["text/javascript", "text/css"], "The file (JavaScript or CSS), with an ETag"),
      304: { description: "Not modified since the ETag sent in If-None-Match" },
    },
    problems: { 404: "no such asset" },
  }),
];

async function serve(c: Context, deps: Pick<GatewayDeps, "assets">, name: string): Promise<Response> {
  const asset = await deps.assets(name);
  if (!asset) return problem(c, 404, { title: "Not found", detail: `no asset ${name}` });
  const headers = { etag: asset.etag, "cache-control": "no-cache" };
  if (c.req.header("if-none-match") === asset.etag) return c.body(null, 304, headers);
  return c.body(asset.body, 200, { ...headers, "content-type": asset.contentType });
}

/** The API docs and the console, and the files they load: public, since none of them holds data (the console's data routes need an operator token). */
export function registerPages(app: Hono, deps: Pick<GatewayDeps, "assets">): void {
  app.get("/docs", (c) => serve(c, deps, "docs.html"));
  app.get("/console", (c) => serve(c, deps, "console.html"));
  app.get("/assets/:name", (c) => {
    const name = readParam(c.req.param("name"), AssetNameSchema, "name");
    // Pages are served at their own routes only.
    return name.endsWith(".html") ? problem(c, 404, { title: "Not found", detail: `no asset ${name}` }) : serve(c, deps, name);
  });
}
