import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { type AssetSource, contentTypeOf, STATIC_FILES, type StaticAsset } from "./static-assets.ts";

const ROOT = resolve(import.meta.dir, "../..");

/**
 * Static files read from disk on first request and kept (about 2.5 MB in all, most of
 * it Swagger UI). For the entry points and tests; the app itself touches no file system.
 */
export function fileAssets(): AssetSource {
  const require = createRequire(import.meta.url);
  const loaded = new Map<string, Promise<StaticAsset>>();
  return (name) => {
    const spec = Object.hasOwn(STATIC_FILES, name) ? STATIC_FILES[name] : undefined;
    if (!spec) return Promise.resolve(undefined);
    let asset = loaded.get(name);
    if (!asset) {
      const path = "module" in spec ? require.resolve(spec.module) : join(ROOT, spec.file);
      asset = readFile(path).then(async (bytes) => {
        const body = new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
        const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
        const etag = `"${Buffer.from(digest.subarray(0, 12)).toString("base64url")}"`;
        return { body, contentType: contentTypeOf(name), etag };
      });
      // A failed read is not remembered: the next request tries again.
      asset.catch(() => loaded.delete(name));
      loaded.set(name, asset);
    }
    return asset;
  };
}
