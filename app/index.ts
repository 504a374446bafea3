// The Ebb Worker's one entry. For now it answers the health route; installs, sync, scoring and
// writeback arrive with the connectors (see the issues that build on the foundation).
import { Hono } from "hono";
import { SIGNALS } from "../core/signals/index.ts";

export const app = new Hono<{ Bindings: Env }>();

app.get("/health", (c) => c.json({ ok: true, service: "ebb", signals: SIGNALS.length }));

app.notFound((c) =>
  c.json({ error: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404),
);

export default {
  fetch: app.fetch,
  // Cron only plans; with no connections yet there is nothing to plan.
  scheduled() {},
  // No job kinds exist yet: acknowledge, so nothing piles up in the queue.
  queue(batch) {
    batch.ackAll();
  },
} satisfies ExportedHandler<Env>;
