import type { Send } from "../../shared/geo/redis/connect-redis.ts";
import { toUpstashReply } from "./resp3-to-upstash.ts";
import { createScriptFlags } from "./script-flags.ts";
import type { TransactionLane } from "./transaction-lane.ts";
import { encodeResult } from "./upstash-encoding.ts";

type Outcome = { result: unknown } | { error: string; status: number };

/** A Redis error reply is the caller's problem (400); anything else — Redis unreachable — is the bridge's (503). */
const failure = (err: unknown): { error: string; status: number } => ({
  error: (err as Error).message,
  status: (err as { code?: string }).code === "ERR_REDIS_SERVER_ERROR" ? 400 : 503,
});

/**
 * Commands that would change or hold the shared connection for every other request
 * (subscriptions, blocking pops, MULTI outside /multi-exec, SELECT…): refused, as a
 * REST endpoint has no connection of its own to give them.
 */
const REFUSED = new Set([
  "SUBSCRIBE",
  "PSUBSCRIBE",
  "SSUBSCRIBE",
  "UNSUBSCRIBE",
  "PUNSUBSCRIBE",
  "SUNSUBSCRIBE",
  "MONITOR",
  "MULTI",
  "EXEC",
  "DISCARD",
  "WATCH",
  "UNWATCH",
  "SELECT",
  "HELLO",
  "AUTH",
  "QUIT",
  "RESET",
  "CLIENT",
  "BLPOP",
  "BRPOP",
  "BLMOVE",
  "BRPOPLPUSH",
  "BLMPOP",
  "BZPOPMIN",
  "BZPOPMAX",
  "BZMPOP",
  "WAIT",
  "WAITAOF",
]);

export interface BridgeDeps {
  send: Send;
  lane: TransactionLane;
  token: string;
}

/** The Upstash REST protocol: POST / (one command), /pipeline, /multi-exec. */
export function createBridgeHandler({ send, lane, token }: BridgeDeps): (req: Request) => Promise<Response> {
  const scriptFlags = createScriptFlags();
  const parse = (body: unknown): string[] | string => {
    const command = parseCommand(body);
    return typeof command === "string" ? command : scriptFlags(command);
  };
  const run = async (command: string[]): Promise<Outcome> => {
    try {
      return { result: toUpstashReply(command, await send(command[0]!, command.slice(1))) };
    } catch (err) {
      return failure(err);
    }
  };

  return async (req) => {
    if (req.headers.get("authorization") !== `Bearer ${token}`) return reply(401, { error: "Unauthorized" });
    if (req.method !== "POST") return reply(405, { error: "ERR only POST is supported" });
    const base64 = req.headers.get("upstash-encoding")?.toLowerCase() === "base64";
    const encode = (o: Outcome) => ("result" in o ? { result: base64 ? encodeResult(o.result) : o.result } : { error: o.error });
    const body: unknown = await req.json().catch(() => undefined);
    const path = new URL(req.url).pathname.replace(/\/+$/, "") || "/";

    if (path === "/") {
      const command = parse(body);
      if (typeof command === "string") return reply(400, { error: command });
      const outcome = await run(command);
      return reply("error" in outcome ? outcome.status : 200, encode(outcome));
    }
    if (path !== "/pipeline" && path !== "/multi-exec") return reply(404, { error: `ERR unknown path ${path}` });
    if (!Array.isArray(body) || body.length === 0) return reply(400, { error: "ERR the body must be a non-empty array of commands" });
    const commands = body.map(parse);
    if (path === "/pipeline") {
      return reply(200, await Promise.all(commands.map(async (c) => (typeof c === "string" ? { error: c } : encode(await run(c))))));
    }
    const invalid = commands.find((c): c is string => typeof c === "string");
    if (invalid) return reply(400, { error: invalid });
    try {
      const replies = await lane.run(commands as string[][]);
      return reply(
        200,
        replies.map((r, i) => (r instanceof Error ? { error: r.message } : encode({ result: toUpstashReply(commands[i] as string[], r) }))),
      );
    } catch (err) {
      const { error, status } = failure(err);
      return reply(status, { error });
    }
  };
}

/** A command as Upstash takes it: a non-empty JSON array of strings, numbers or booleans. Returns an error text otherwise. */
function parseCommand(body: unknown): string[] | string {
  if (!Array.isArray(body) || body.length === 0) return "ERR a command must be a non-empty JSON array";
  if (!body.every((a) => typeof a === "string" || typeof a === "number" || typeof a === "boolean"))
    return "ERR command arguments must be strings, numbers or booleans";
  const command = body.map(String);
  if (REFUSED.has(command[0]!.toUpperCase())) return `ERR '${command[0]}' is not available over the REST bridge`;
  return command;
}

function reply(status: number, body: unknown): Response {
  return Response.json(body, { status });
}
