// Runs the Ebb Worker locally under `wrangler dev` (real workerd, local D1, Durable Objects and
// queues), pointed at a HubSpot sandbox: the demo, the end-to-end test and the bench share it.

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { constants } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SANDBOX_CLIENT as SALESFORCE_SANDBOX_CLIENT } from "../connectors/salesforce/sandbox/server.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const WRANGLER = createRequire(import.meta.url).resolve("wrangler/bin/wrangler.js");

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

export interface LocalWorker {
  url: string;
  /** The V8 inspector wrangler serves for the Worker (Chrome DevTools protocol). */
  inspectorPort: number;
  /** wrangler's process id (workerd runs as its child). */
  pid: number;
  stop(): Promise<void>;
  /** What wrangler printed (for diagnosing a failed start). */
  output(): string;
}

export interface LocalWorkerOptions {
  port: number;
  hubspotUrl: string;
  /** The Zendesk sandbox, when the run connects Zendesk too: its address and the app's key. */
  zendesk?: { url: string; appPublicKey: string };
  /** The Salesforce sandbox's login address, when the run connects Salesforce too. */
  salesforceUrl?: string;
  /** Local D1/DO/queue state; wiped first so every run starts clean, unless `keepState`. */
  stateDir: string;
  /** Start on the state a previous run left (a restart after a crash). */
  keepState?: boolean;
  /** The key sealing tokens at rest; a restart on kept state needs the same one. Random if unset. */
  tokenKey?: string;
  log?: (line: string) => void;
  /** Another wrangler configuration than Ebb's own (the scoring bench's Worker). */
  config?: string;
}

const quietEnv = () => ({
  ...process.env,
  CI: "1",
  WRANGLER_SEND_METRICS: "false",
  // Offline: miniflare's default `request.cf` instead of fetching workers.cloudflare.com/cf.json.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
});

export async function startLocalWorker(o: LocalWorkerOptions): Promise<LocalWorker> {
  if (!o.keepState) rmSync(o.stateDir, { recursive: true, force: true });
  const migrate = spawnSync(
    process.execPath,
    [
      WRANGLER,
      "d1",
      "migrations",
      "apply",
      "DB",
      "--local",
      "--persist-to",
      o.stateDir,
      ...(o.config ? ["--config", o.config] : []),
    ],
    { cwd: ROOT, env: quietEnv(), encoding: "utf8" },
  );
  if (migrate.status !== 0)
    throw new Error(`D1 migrations failed:\n${migrate.stdout}\n${migrate.stderr}`);
  const url = `http://127.0.0.1:${o.port}`;
  const vars: Record<string, string> = {
    PUBLIC_URL: url,
    HUBSPOT_API_BASE: o.hubspotUrl,
    HUBSPOT_AUTH_BASE: o.hubspotUrl,
    HUBSPOT_CLIENT_ID: "sandbox-client",
    HUBSPOT_CLIENT_SECRET: "sandbox-secret",
    ...(o.zendesk
      ? {
          ZENDESK_API_BASE: o.zendesk.url,
          ZENDESK_CLIENT_ID: "zdg-ebb-sandbox",
          ZENDESK_CLIENT_SECRET: "sandbox-client-secret",
          ZENDESK_APP_PUBLIC_KEY: o.zendesk.appPublicKey,
          ZENDESK_ZAF_SDK_URL: `${o.zendesk.url}/zaf_sdk.js`,
        }
      : {}),
    ...(o.salesforceUrl
      ? {
          SALESFORCE_LOGIN_URL: o.salesforceUrl,
          SALESFORCE_CLIENT_ID: SALESFORCE_SANDBOX_CLIENT.id,
          SALESFORCE_CLIENT_SECRET: SALESFORCE_SANDBOX_CLIENT.secret,
        }
      : {}),
    TOKEN_KEY: o.tokenKey ?? randomBytes(32).toString("base64"),
  };
  const inspectorPort = await freePort();
  const args = [
    WRANGLER,
    "dev",
    ...(o.config ? ["--config", o.config] : []),
    "--ip",
    "127.0.0.1",
    "--port",
    String(o.port),
    "--inspector-port",
    String(inspectorPort),
    "--persist-to",
    o.stateDir,
    "--show-interactive-dev-session=false",
    "--log-level",
    o.log ? "info" : "warn",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
  ];
  let out = "";
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: quietEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: process.platform !== "win32",
  });
  const collect = (b: Buffer) => {
    out = (out + b.toString()).slice(-20_000);
    for (const line of b.toString().split("\n")) if (line.trim()) o.log?.(line);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  // wrangler runs in a process group of its own (so stop() can end workerd with it): if this process
  // ends first — a test's hook timed out, Ctrl-C — the group is ended with it, never left behind.
  const endGroup = () => {
    try {
      if (child.pid && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  process.once("exit", endGroup);
  // A signal (Ctrl-C, `kill`) ends Node without its exit handlers: end the group on the signal too,
  // and exit unless someone else (the demo, waiting for Ctrl-C) handles it.
  const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const onSignal = (signal: NodeJS.Signals) => {
    endGroup();
    if (process.listenerCount(signal) === 1) process.exit(128 + (constants.signals[signal] ?? 0));
  };
  for (const s of SIGNALS) process.on(s, onSignal);
  const stop = () =>
    new Promise<void>((ok) => {
      process.off("exit", endGroup);
      for (const s of SIGNALS) process.off(s, onSignal);
      if (child.exitCode !== null || child.signalCode !== null) return ok();
      child.once("exit", () => ok());
      try {
        // wrangler starts workerd as a child: stop the whole group.
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      } catch {
        child.kill("SIGTERM");
      }
    });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${out}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev did not answer within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { url, inspectorPort, pid: child.pid ?? 0, stop, output: () => out };
}

export const demoStateDir = (name: string) => join(ROOT, ".wrangler", name);
