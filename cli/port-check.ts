// Before the local Worker starts: its port must be free. If it is not, say which process holds it
// (often an Ebb Worker from an earlier run that was not stopped) and what to do, instead of letting
// wrangler fail or, worse, talking to the stale Worker.
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { portToPid } from "pid-port";
import { CliError } from "./errors.ts";

/** Whether `port` on 127.0.0.1 can be listened on now. */
export function portIsFree(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((ok) => {
    const s = createServer();
    s.once("error", () => ok(false));
    s.listen(port, host, () => s.close(() => ok(true)));
  });
}

/** The process listening on `port` (pid and command line), when the system says. */
export async function holderOf(
  port: number,
  host = "127.0.0.1",
): Promise<{ pid: number; command: string } | undefined> {
  const pid = await portToPid({ port, host }).catch(() => undefined);
  if (!pid) return undefined;
  const ps = spawnSync("ps", ["-o", "args=", "-p", String(pid)], { encoding: "utf8" });
  return { pid, command: (ps.stdout ?? "").trim() || "(command not readable)" };
}

/** Refuse to start on a port in use, naming what holds it. */
export async function ensurePortFree(port: number): Promise<void> {
  if (await portIsFree(port)) return;
  const holder = await holderOf(port);
  const stale = holder && /wrangler|workerd/.test(holder.command);
  const who = holder
    ? `process ${holder.pid} (${holder.command.slice(0, 160)})`
    : "a process this user cannot see";
  throw new CliError(
    `port ${port} on 127.0.0.1 is in use by ${who}. ${
      stale
        ? `It looks like a Worker from an earlier run that is still going: stop it with \`kill ${holder.pid}\`, or `
        : "Stop it, or "
    }start on another port: \`npm start -- --port ${port + 1}\`.`,
  );
}
