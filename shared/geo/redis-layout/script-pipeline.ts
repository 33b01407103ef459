import type { LuaScript, ScriptRun } from "./lua-script.ts";

export type Settled = { ok: true; value: unknown } | { ok: false; error: Error };

export interface ShaRun {
  sha: string;
  keys: string[];
  args: string[];
}

/** What a client must provide for scripts: one command, and EVALSHA for many runs in one round trip. */
export interface ScriptTransport {
  call(cmd: string, args: string[]): Promise<unknown>;
  evalshaAll(runs: ShaRun[]): Promise<Settled[]>;
}

/** Every reply, failed or not, in order: what evalshaAll resolves with. */
export const settleAll = (replies: Promise<unknown>[]): Promise<Settled[]> =>
  Promise.all(
    replies.map((p) =>
      p.then(
        (value): Settled => ({ ok: true, value }),
        (error: Error): Settled => ({ ok: false, error }),
      ),
    ),
  );

const isNoScript = (r: Settled) => !r.ok && r.error.message.includes("NOSCRIPT");

/**
 * Script runs by SHA, shared by every runner. A script is loaded (SCRIPT LOAD, which
 * also names its SHA — no hashing code, so this stays edge-safe) on first use; when the
 * server answers NOSCRIPT (restarted, flushed, failed over) it is loaded again and only
 * the runs that did not execute are retried.
 */
export function createScriptPipeline(transport: ScriptTransport): (runs: ScriptRun[]) => Promise<unknown[]> {
  const shas = new Map<LuaScript, Promise<string>>();
  const shaOf = (script: LuaScript): Promise<string> => {
    let sha = shas.get(script);
    if (!sha) {
      sha = transport.call("SCRIPT", ["LOAD", script.source]).then(String);
      // A failed load must not stick: the next call tries again.
      sha.catch(() => shas.delete(script));
      shas.set(script, sha);
    }
    return sha;
  };
  const send = async (runs: ScriptRun[]) =>
    transport.evalshaAll(await Promise.all(runs.map(async (r) => ({ sha: await shaOf(r.script), keys: r.keys, args: r.args }))));

  return async (runs) => {
    if (runs.length === 0) return [];
    const results = await send(runs);
    const missing = runs.flatMap((run, i) => (isNoScript(results[i]!) ? [{ run, i }] : []));
    if (missing.length > 0) {
      for (const { run } of missing) shas.delete(run.script);
      const retried = await send(missing.map((m) => m.run));
      for (const [k, m] of missing.entries()) results[m.i] = retried[k]!;
    }
    const failed = results.findIndex((r) => !r.ok);
    const failure = results[failed];
    if (failure && !failure.ok)
      throw new Error(`Redis script ${runs[failed]!.script.name} failed: ${failure.error.message}`, { cause: failure.error });
    return results.map((r) => (r.ok ? r.value : undefined));
  };
}
