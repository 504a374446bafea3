// Installing Ebb from the HubSpot marketplace: the authorize redirect (with a single-use state) and
// the OAuth callback, which creates the tenant and connection, seals the tokens in the connection's
// gate, queues the first full sync and signs the installing admin in.
import { Hono } from "hono";
import { z } from "zod";
import { hubspot } from "../../connectors/hubspot/index.ts";
import { findInstall, saveInstall } from "../db/directory-repo.ts";
import { consumeOAuthState, createLoginLink, createOAuthState } from "../db/sessions-repo.ts";
import type { Deps } from "../deps.ts";
import { syncJob } from "../jobs/messages.ts";
import { HttpProblem } from "./problem.ts";

const Callback = z.union([
  z.object({
    code: z.string().min(1, "code is empty"),
    state: z.string().min(1, "state is empty"),
  }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);

export function installRoutes(deps: (c: { env: Env }) => Deps) {
  const r = new Hono<{ Bindings: Env }>();

  r.get("/install/hubspot", async (c) => {
    const d = deps(c);
    const state = await createOAuthState(d.db, "hubspot", d.now());
    return c.redirect(hubspot.install.authorizeUrl(d.hubspot, state), 302);
  });

  r.get("/oauth/hubspot/callback", async (c) => {
    const d = deps(c);
    const q = Callback.safeParse(c.req.query());
    if (!q.success)
      throw new HttpProblem(400, "invalid_callback", "the callback needs code and state");
    if ("error" in q.data)
      throw new HttpProblem(400, "install_declined", `HubSpot returned ${q.data.error}`);
    if (!(await consumeOAuthState(d.db, "hubspot", q.data.state, d.now())))
      throw new HttpProblem(
        400,
        "invalid_state",
        "state is unknown, used or expired: start the install again",
      );
    // Everything that can fail at HubSpot happens before anything is written here.
    const tokens = await hubspot.install.exchangeCode(d.hubspot, q.data.code, d.now());
    const info = await hubspot.install.tokenInfo(d.hubspot, tokens.accessToken);
    const existing = await findInstall(d.db, "hubspot", info.portalId);
    // Tokens are sealed in the gate before the directory names the connection: a failure in
    // between leaves an unreferenced gate, never a connection without tokens.
    const connectionId = existing?.connection_id ?? crypto.randomUUID();
    await d.gate(connectionId).install(connectionId, "hubspot", tokens);
    const install = await saveInstall(d.db, {
      vendor: "hubspot",
      externalId: info.portalId,
      tenantName: `HubSpot portal ${info.portalId}`,
      installedBy: info.user,
      now: d.now(),
      connectionId,
    });
    await d.enqueue([syncJob(install.tenant_id, install.connection_id, "install")]);
    const code = await createLoginLink(d.db, install.tenant_id, info.user ?? "admin", d.now());
    return c.redirect(`/admin/login?code=${encodeURIComponent(code)}`, 302);
  });

  return r;
}
