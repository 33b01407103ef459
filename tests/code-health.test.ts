import { expect, test } from "bun:test";
import { resolve } from "node:path";

const ROOT = resolve(import.meta.dir, "..");

async function run(cmd: string[]): Promise<{ code: number; out: string }> {
  const p = Bun.spawn(cmd, { cwd: ROOT, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, out: out + err };
}

test("the tree is formatted and passes the linter (biome ci; fix with `bun run format`)", async () => {
  const { code, out } = await run(["bun", "x", "biome", "ci", "--colors=off", "--max-diagnostics=20", "."]);
  expect(code, out).toBe(0);
});

test("no file points to a document outside the repository", async () => {
  const { out: files } = await run(["git", "ls-files", "--cached", "--others", "--exclude-standard"]);
  // Built from parts so this file does not match itself.
  const outside = new RegExp(
    ["DES" + "IGN(\\.md| ?§)", "FAC" + "TS\\.md", "HOUSE-" + "STYLE", "shared/" + "guide", "shared/" + "seeds"].join("|"),
  );
  const offenders: string[] = [];
  for (const path of files.split("\n").filter((f) => /\.(ts|md|json|jsonc|sh|yaml|xml|toml|html|js|css)$/.test(f))) {
    const file = Bun.file(resolve(ROOT, path));
    if (!(await file.exists())) continue;
    for (const [i, line] of (await file.text()).split("\n").entries())
      if (outside.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
  }
  expect(offenders).toEqual([]);
});
