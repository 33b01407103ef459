import { readdirSync, readFileSync } from "node:fs";

/*
 * The live processes of this machine as /proc shows them (Linux), for the checks that
 * a test run leaves no process behind: no `ps`/`pgrep` needed, which a minimal CI image
 * may lack. A process that exits while being read is skipped.
 */

export interface ProcessInfo {
  pid: number;
  /** argv, as the process sees it. */
  argv: string[];
}

function readNulList(path: string): string[] | undefined {
  try {
    return readFileSync(path, "utf8").split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Every process but this one whose argv satisfies `match`. */
export function processesWhere(match: (argv: string[]) => boolean): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const argv = readNulList(`/proc/${entry}/cmdline`);
    if (argv && argv.length > 0 && match(argv)) found.push({ pid: Number(entry), argv });
  }
  return found;
}

/** Every process but this one whose environment holds `name=value` (children inherit it unless a spawner clears it). */
export function processesWithEnv(name: string, value: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const env = readNulList(`/proc/${entry}/environ`);
    if (!env?.includes(`${name}=${value}`)) continue;
    const argv = readNulList(`/proc/${entry}/cmdline`);
    // Zombies have an empty cmdline and hold nothing: their parent reaps them.
    if (argv && argv.length > 0) found.push({ pid: Number(entry), argv });
  }
  return found;
}

/**
 * The processes still carrying `name=value` once `graceMs` passed (a process told to
 * stop a moment ago may still be exiting): what a finished test run left behind.
 */
export async function leftoverProcesses(name: string, value: string, graceMs = 5_000): Promise<ProcessInfo[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const left = processesWithEnv(name, value);
    if (left.length === 0 || Date.now() >= deadline) return left;
    await Bun.sleep(100);
  }
}
