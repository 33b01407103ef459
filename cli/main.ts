import { parseConfigOrExit } from "../shared/config/parse-config.ts";
import { TOPIC_CATALOGUE } from "../shared/events/topics.ts";
import { openEventLog } from "../shared/infra/open-event-log.ts";
import { WORKERS } from "../workers/catalogue.ts";
import { CliConfigSchema } from "./config.ts";
import type { PreparedCommand } from "./context.ts";
import { HELP, isHelp, prepareCommand, reportFailure } from "./run-command.ts";
import { tokenCommand } from "./token-command.ts";

/** `bun run fleet <command>`: see HELP, or `bun run fleet help`. */
if (import.meta.main) {
  const argv = process.argv.slice(2);
  const out = (line: string) => void process.stdout.write(`${line}\n`);
  const err = (line: string) => void process.stderr.write(`${line}\n`);
  const config = parseConfigOrExit(CliConfigSchema, process.env, "fleet");
  if (isHelp(argv)) {
    out(HELP);
    process.exit(0);
  }
  // Minting a token touches no log: answered before any broker is dialled.
  if (argv[0] === "token") {
    try {
      out(tokenCommand(argv.slice(1), config));
      process.exit(0);
    } catch (e) {
      process.exit(reportFailure(argv, e, err));
    }
  }
  let command: PreparedCommand;
  try {
    command = prepareCommand(argv);
  } catch (e) {
    process.exit(reportFailure(argv, e, err));
  }
  // First Ctrl-C stops the command cleanly (the read leaves its group); a second one exits at once.
  const interrupt = new AbortController();
  process.on("SIGINT", () => (interrupt.signal.aborted ? process.exit(130) : interrupt.abort()));
  const log = await openEventLog({ ...config, clientId: "fleet-cli" });
  let code = 0;
  try {
    await command({ log, out, catalogue: { topics: TOPIC_CATALOGUE, groups: WORKERS }, signal: interrupt.signal });
  } catch (e) {
    code = reportFailure(argv, e, err);
  } finally {
    await log.close();
  }
  process.exit(code);
}
