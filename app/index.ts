// The Ebb Worker's one entry: HTTP routes (install, HubSpot card and webhooks, admin), the cron
// planner and the queue consumer, plus the two Durable Object classes. Errors at the HTTP edge are
// mapped here, once.
import { Hono } from "hono";
import { ConnectorError } from "../connectors/errors.ts";
import { SIGNALS } from "../core/signals/index.ts";
import { depsOf } from "./deps.ts";
import { consume, planSyncs } from "./jobs/consume.ts";
import { adminRoutes } from "./routes/admin.tsx";
import { hubspotRoutes } from "./routes/hubspot.ts";
import { installRoutes } from "./routes/install.ts";
import { HttpProblem } from "./routes/problem.ts";

export { ConnectionGate } from "./gate/connection-gate.ts";
export { TenantStore } from "./tenant/tenant-store.ts";

const deps = (c: { env: Env }) => depsOf(c.env);

export const app = new Hono<{ Bindings: Env }>();

app.get("/health", (c) => c.json({ ok: true, service: "ebb", signals: SIGNALS.length }));
app.get("/", (c) => c.redirect("/admin", 302));
app.route("/", installRoutes(deps));
app.route("/", hubspotRoutes(deps));
app.route("/", adminRoutes(deps));

app.notFound((c) =>
  c.json({ error: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404),
);

app.onError((e, c) => {
  if (e instanceof HttpProblem) return c.json({ error: e.code, message: e.message }, e.status);
  if (e instanceof ConnectorError) {
    console.error(JSON.stringify({ event: "http.vendor_error", error: e.toJSON() }));
    return c.json({ error: `vendor_${e.code}`, message: e.message }, 502);
  }
  console.error(JSON.stringify({ event: "http.error", message: (e as Error).message }));
  return c.json({ error: "internal", message: "something went wrong; it has been logged" }, 500);
});

export default {
  fetch: app.fetch,
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(planSyncs(depsOf(env)));
  },
  async queue(batch, env) {
    await consume(depsOf(env), batch);
  },
} satisfies ExportedHandler<Env>;
