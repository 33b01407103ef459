import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";

/** The filesystem path of a `file:` URL (`file:rel/x.db`, `file:/abs/x.db`, `file:///abs/x.db`). */
export function filePath(url: string): string {
  return url
    .slice("file:".length)
    .replace(/^\/\/(localhost)?(?=\/)/, "")
    .replace(/\?.*$/, "");
}

/**
 * Makes the database file of a `file:` URL readable by its owner only (0600), like the dev
 * secret beside it: bookings, addresses, trails and outboxed requests are personal data.
 * A missing file is created 0600 before SQLite opens it (SQLite gives its -wal and -shm
 * files the database file's mode); an existing one, and its -wal and -shm, are tightened.
 * Missing folders are created 0700. No-op for `:memory:` and for servers.
 */
export function ensurePrivateDatabaseFile(url: string): void {
  if (!url.startsWith("file:") || url.includes(":memory:")) return;
  const path = filePath(url);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!existsSync(path)) closeSync(openSync(path, "a", 0o600));
  for (const f of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}
