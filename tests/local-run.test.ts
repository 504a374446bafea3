// `npm start` as a new user runs it: a port already taken is named with its holder, and Ctrl-C at
// any point (wrangler still starting, the first sync under way) leaves no process behind.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../cli/local-worker.ts";
import { portIsFree } from "../cli/port-check.ts";
import { alive, descendants } from "./support/processes.ts";
import { until } from "./support/wait.ts";

const BIN = join(import.meta.dirname, "..", "bin", "ebb.js");
const running: ChildProcess[] = [];
/** Processes a test saw started, ended after it whatever happened (a failing test leaves none). */
const seen = new Set<number>();

afterEach(() => {
  for (const pid of [...running.splice(0).map((p) => p.pid ?? 0), ...seen]) {
    try {
      if (pid) process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  seen.clear();
});

/** `ebb demo` in a process group of its own, its output collected. */
function demo(port: number, state: string) {
  const child = spawn(
    process.execPath,
    [BIN, "demo", "--accounts", "40", "--port", String(port), "--state", state],
    {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, FORCE_COLOR: "0" },
    },
  );
  running.push(child);
  let out = "";
  child.stdout?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on("data", (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((ok) => child.on("exit", (code) => ok(code)));
  return { child, output: () => out, exited };
}

describe("npm start on a port already in use", () => {
  it("says which process holds it and how to go on, and starts nothing", async () => {
    const port = await freePort();
    // Something else listening there: a process of its own, so it has its own pid and command.
    const holder = spawn(
      process.execPath,
      [
        "-e",
        `require("net").createServer().listen(${port}, "127.0.0.1"); setInterval(() => {}, 1e3)`,
      ],
      { detached: true, stdio: "ignore" },
    );
    running.push(holder);
    await until("the holder to listen", async () => !(await portIsFree(port)) || undefined, 10_000);
    const d = demo(port, "local-run-port");
    const code = await d.exited;
    expect(code).toBe(2);
    expect(d.output()).toContain(`port ${port} on 127.0.0.1 is in use by process ${holder.pid}`);
    expect(d.output()).toContain(`npm start -- --port ${port + 1}`);
    expect(d.output()).not.toContain("HubSpot sandbox on");
  }, 60_000);
});

describe("Ctrl-C during npm start", () => {
  for (const moment of ["while wrangler starts", "during the first sync"] as const) {
    it(`stops every process it started (${moment})`, async () => {
      const port = await freePort();
      const d = demo(port, `local-run-${moment === "while wrangler starts" ? "start" : "sync"}`);
      const pid = d.child.pid ?? 0;
      if (moment === "while wrangler starts")
        await until(
          "wrangler to be started",
          () => descendants(pid).some((p) => /wrangler/.test(p.args)) || undefined,
          60_000,
        );
      else
        await until("the install", () => d.output().includes("Installed:") || undefined, 120_000);
      const started = descendants(pid);
      for (const p of started) seen.add(p.pid);
      expect(started.length).toBeGreaterThan(0);
      process.kill(pid, "SIGINT");
      await d.exited;
      await until(
        "every process it started to end",
        () => started.every((p) => !alive(p.pid)) || undefined,
        20_000,
      );
      expect(await portIsFree(port)).toBe(true);
    }, 180_000);
  }
});
