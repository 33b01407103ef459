import { createHash } from "node:crypto";

/** Script flags only Upstash knows; redis-server refuses a script whose shebang names one. */
const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

const sha1 = (s: string) => createHash("sha1").update(s).digest("hex");

function stripFlags(script: string): string {
  const match = /^#!lua flags=([^\n]*)/.exec(script);
  if (!match) return script;
  const kept = match[1]!
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f && !UPSTASH_ONLY_FLAGS.has(f));
  return `#!lua${kept.length ? ` flags=${kept.join(",")}` : ""}${script.slice(match[0].length)}`;
}

/**
 * Upstash's script dialect over a plain redis-server: `#!lua flags=allow-key-locking`
 * (which @upstash/ratelimit ≥ 2.1 puts on every script; on Upstash it narrows locking to
 * the declared keys) is dropped before the script reaches Redis, where it would be an
 * error — dropping it only means Redis's usual global script lock. Redis then knows the
 * script under the hash of the stripped text, so EVALSHA with the client's hash is
 * translated once the script was seen; before that Redis answers NOSCRIPT and clients
 * fall back to EVAL, as they do against Upstash.
 */
export function createScriptFlags(): (command: string[]) => string[] {
  const redisShaOf = new Map<string, string>();
  const rewriteScript = (command: string[], at: number): string[] => {
    const script = command[at];
    if (script === undefined) return command;
    const stripped = stripFlags(script);
    if (stripped === script) return command;
    redisShaOf.set(sha1(script), sha1(stripped));
    return command.map((a, i) => (i === at ? stripped : a));
  };
  return (command) => {
    const name = command[0]!.toUpperCase();
    if (name === "EVAL" || name === "EVAL_RO") return rewriteScript(command, 1);
    if (name === "SCRIPT" && command[1]?.toUpperCase() === "LOAD") return rewriteScript(command, 2);
    if (name === "EVALSHA" || name === "EVALSHA_RO") {
      const sha = redisShaOf.get(command[1]?.toLowerCase() ?? "");
      return sha ? command.map((a, i) => (i === 1 ? sha : a)) : command;
    }
    return command;
  };
}
