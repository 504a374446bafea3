// The Worker for a set of connectors: HTTP routes (install, each vendor's webhooks and view, admin),
// the cron planner and the queue consumer, and the connection gate's class, all built from one
// registry. Errors at the HTTP edge are mapped here, once. `index.ts` builds it from the connectors
// Ebb ships; a test can build it with a test vendor added.
import { Hono } from "hono";
import { ConnectorError } from "../connectors/errors.ts";
import type { Registry } from "../connectors/registry.ts";
import { signInPath } from "../connectors/routes.ts";
import { SIGNALS } from "../core/signals/index.ts";
import { purgeExpired } from "./db/sessions-repo.ts";
import { depsOf } from "./deps.ts";
import { connectionGateFor } from "./gate/connection-gate.ts";
import { consume, planSyncs } from "./jobs/consume.ts";
import { adminRoutes } from "./routes/admin.tsx";
import { ingestRoutes } from "./routes/ingest.ts";
import { installRoutes } from "./routes/install.ts";
import { HttpProblem } from "./routes/problem.ts";
import { staticRoutes } from "./routes/static.ts";
import { vendorRoutes } from "./routes/vendor.ts";
import { ProblemPage } from "./views/problem-page.tsx";

export function createWorker(registry: Registry) {
  const deps = (c: { env: Env }) => depsOf(c.env, registry);
  const app = new Hono<{ Bindings: Env }>();
  // Where a person who lost their session signs in again: each vendor's OAuth.
  const signIn = Object.entries(registry).map(([id, c]) => ({
    label: c.label,
    path: signInPath(id),
  }));

  app.get("/health", (c) =>
    c.json({ ok: true, service: "ebb", signals: SIGNALS.length, vendors: Object.keys(registry) }),
  );
  app.get("/", (c) => c.redirect("/admin", 302));
  app.route("/", installRoutes(deps));
  app.route("/admin", adminRoutes(deps));
  app.route("/", staticRoutes());
  app.route("/", vendorRoutes(deps));
  app.route("/", ingestRoutes(deps));

  app.notFound((c) =>
    c.json({ error: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404),
  );

  /** A person's browser asking for a page (not a script, not the API, not a vendor calling). */
  const wantsPage = (c: { req: { header(n: string): string | undefined; path: string } }) =>
    (c.req.header("accept") ?? "").includes("text/html") &&
    !c.req.path.startsWith("/admin/api/") &&
    (c.req.path.startsWith("/admin") ||
      c.req.path.startsWith("/install/") ||
      c.req.path.startsWith("/signin/") ||
      c.req.path.startsWith("/oauth/"));

  app.onError((e, c) => {
    if (e instanceof HttpProblem) {
      if (wantsPage(c))
        return c.html(
          <ProblemPage status={e.status} code={e.code} message={e.message} signIn={signIn} />,
          e.status,
        );
      return c.json({ error: e.code, message: e.message }, e.status);
    }
    if (e instanceof ConnectorError) {
      console.error(JSON.stringify({ event: "http.vendor_error", error: e.toJSON() }));
      return c.json({ error: `vendor_${e.code}`, message: e.message }, 502);
    }
    console.error(JSON.stringify({ event: "http.error", message: (e as Error).message }));
    return c.json({ error: "internal", message: "something went wrong; it has been logged" }, 500);
  });

  const handler = {
    fetch: app.fetch,
    async scheduled(_controller, env, ctx) {
      const deps = depsOf(env, registry);
      ctx.waitUntil(Promise.all([planSyncs(deps), purgeExpired(deps.db, deps.now())]));
    },
    async queue(batch, env) {
      await consume(depsOf(env, registry), batch);
    },
  } satisfies ExportedHandler<Env>;

  return { app, handler, ConnectionGate: connectionGateFor(registry) };
}
