#!/usr/bin/env node
// Entry of the `ebb` command: loads the TypeScript sources through tsx, then runs the CLI.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

// `ebb score` and `ebb backtest` hold one batch of accounts at a time (cli/read-batches.ts). Node's
// default heap limit (a quarter of the machine's memory) lets V8 put off collecting while the
// batches stream through, so the process would grow with the portfolio though what it keeps does
// not: they run with a heap limit sized to the batch instead, unless one is given.
const args = process.argv.slice(2);
const heapGiven = [...process.execArgv, process.env.NODE_OPTIONS ?? ""].some((a) =>
  a.includes("--max-old-space-size"),
);
if ((args[0] === "score" || args[0] === "backtest") && !heapGiven) {
  const at = args.findIndex((a) => a === "--batch" || a.startsWith("--batch="));
  const given = at < 0 ? undefined : args[at].includes("=") ? args[at].split("=")[1] : args[at + 1];
  const batch = Number(given) > 0 ? Number(given) : 1000;
  const heapMb = Math.ceil(128 + 0.2 * batch);
  const child = spawnSync(
    process.execPath,
    [
      `--max-old-space-size=${heapMb}`,
      ...process.execArgv,
      fileURLToPath(import.meta.url),
      ...args,
    ],
    { stdio: "inherit" },
  );
  process.exit(child.status ?? (child.signal === "SIGINT" ? 130 : 1));
}

register();
// Output piped into `head` and the like: stop quietly when the reader has gone.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { main } = await import("../cli/main.ts");
process.exitCode = await main(args);
