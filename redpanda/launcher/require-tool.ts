/** Where to get each external program the launcher runs, for the error when it is missing. */
const INSTALL_HINTS: Record<string, string> = {
  "redis-server": "install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)",
  java: "install a Java runtime, 17 or newer (Debian/Ubuntu: apt-get install default-jre-headless; macOS: brew install openjdk)",
  mvn: "install Maven, used once to fetch Kafka's jars (Debian/Ubuntu: apt-get install maven; macOS: brew install maven)",
};

export class MissingToolError extends Error {
  override name = "MissingToolError";
}

/** The absolute path of `tool` on PATH; throws naming what to install when it is not there. */
export function requireTool(tool: string, neededFor: string): string {
  const path = Bun.which(tool);
  if (path) return path;
  const hint = INSTALL_HINTS[tool] ?? `install ${tool}`;
  throw new MissingToolError(`"${tool}" is not on PATH but is needed for ${neededFor}: ${hint}`);
}
