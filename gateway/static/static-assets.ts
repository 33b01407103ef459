/** A file the gateway serves as is: the pages at /docs and /console and what they load from /assets/{name}. */
export interface StaticAsset {
  body: Uint8Array<ArrayBuffer>;
  contentType: string;
  /** A strong validator of `body`, so a browser revalidates instead of downloading again. */
  etag: string;
}

/** Where an entry point gets assets from (gateway/static/file-assets.ts reads them from disk); undefined: no such asset. */
export type AssetSource = (name: string) => Promise<StaticAsset | undefined>;

/**
 * Every file the gateway serves, by the name it is served under: the pages by their
 * route, everything else under /assets/{name}. Libraries come from node_modules as
 * their packages ship them (no CDN, no build step), so the pages work offline.
 * `module` is resolved like an import; `file` is relative to the repository root.
 */
export const STATIC_FILES: Record<string, { module: string } | { file: string }> = {
  "docs.html": { file: "gateway/static/docs.html" },
  "console.html": { file: "gateway/console/console.html" },
  "swagger-ui.css": { module: "swagger-ui-dist/swagger-ui.css" },
  "swagger-ui-bundle.js": { module: "swagger-ui-dist/swagger-ui-bundle.js" },
  "docs.js": { file: "gateway/static/docs.js" },
  "console.js": { file: "gateway/console/console.js" },
  "console.css": { file: "gateway/console/console.css" },
  "console-api.js": { file: "gateway/console/console-api.js" },
  "driver-map.js": { file: "gateway/console/driver-map.js" },
  "flow-charts.js": { file: "gateway/console/flow-charts.js" },
  "dead-letters.js": { file: "gateway/console/dead-letters.js" },
  "stuck-trips.js": { file: "gateway/console/stuck-trips.js" },
  "uPlot.esm.js": { module: "uplot/dist/uPlot.esm.js" },
  "uPlot.min.css": { module: "uplot/dist/uPlot.min.css" },
  "h3-js.es.js": { module: "h3-js/dist/browser/h3-js.es.js" },
};

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

export function contentTypeOf(name: string): string {
  return TYPES[name.slice(name.lastIndexOf(".") + 1)] ?? "application/octet-stream";
}
