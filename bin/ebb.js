#!/usr/bin/env node
// Entry of the `ebb` command: loads the TypeScript sources through tsx, then runs the CLI.
import { register } from "tsx/esm/api";

register();
// Output piped into `head` and the like: stop quietly when the reader has gone.
process.stdout.on("error", (e) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
