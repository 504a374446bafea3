// Installing Ebb from any vendor's marketplace: `/install/:vendor` redirects to the vendor's consent
// page with a single-use state; `/oauth/:vendor/callback` exchanges the code, names the install by
// the vendor's tenant key, creates the tenant and connection, seals the tokens in the connection's
// gate, queues the first full sync and signs the installing admin in.
import { Hono } from "hono";
import { z } from "zod";
import { installPath, oauthCallbackPath } from "../../connectors/routes.ts";
import { findInstall, saveInstall } from "../db/directory-repo.ts";
import { consumeOAuthState, createLoginLink, createOAuthState } from "../db/sessions-repo.ts";
import type { Deps } from "../deps.ts";
import { syncJob } from "../jobs/messages.ts";
import type { Vendor } from "../vendors.ts";
import { HttpProblem } from "./problem.ts";

const Callback = z.union([
  z.object({
    code: z.string().min(1, "code is empty"),
    state: z.string().min(1, "state is empty"),
  }),
  z.object({ error: z.string(), error_description: z.string().optional() }),
]);

function vendorOf(d: Deps, id: string): Vendor {
  const v = d.vendors.find(id);
  if (!v) throw new HttpProblem(404, "unknown_vendor", `Ebb cannot be installed from ${id}`);
  return v;
}

export function installRoutes(deps: (c: { env: Env }) => Deps) {
  const r = new Hono<{ Bindings: Env }>();

  r.get(installPath(":vendor"), async (c) => {
    const d = deps(c);
    const vendor = vendorOf(d, c.req.param("vendor") ?? "");
    const app = vendor.app();
    const state = await createOAuthState(d.db, vendor.id, d.now());
    return c.redirect(vendor.connector.install.authorizeUrl(app, state), 302);
  });

  r.get(oauthCallbackPath(":vendor"), async (c) => {
    const d = deps(c);
    const vendor = vendorOf(d, c.req.param("vendor") ?? "");
    const { label, install: steps } = vendor.connector;
    const q = Callback.safeParse(c.req.query());
    if (!q.success)
      throw new HttpProblem(400, "invalid_callback", "the callback needs code and state");
    if ("error" in q.data)
      throw new HttpProblem(400, "install_declined", `${label} returned ${q.data.error}`);
    if (!(await consumeOAuthState(d.db, vendor.id, q.data.state, d.now())))
      throw new HttpProblem(
        400,
        "invalid_state",
        "state is unknown, used or expired: start the install again",
      );
    // Everything that can fail at the vendor happens before anything is written here.
    const app = vendor.app();
    const tokens = await steps.exchangeCode(app, q.data.code, d.now());
    const who = await steps.identify(app, tokens);
    const existing = await findInstall(d.db, vendor.id, who.externalId);
    // Tokens are sealed in the gate before the directory names the connection: a failure in
    // between leaves an unreferenced gate, never a connection without tokens.
    const connectionId = existing?.connection_id ?? crypto.randomUUID();
    await d.gate(connectionId).install(connectionId, vendor.id, tokens);
    const install = await saveInstall(d.db, {
      vendor: vendor.id,
      externalId: who.externalId,
      tenantName: who.tenantName,
      installedBy: who.user,
      now: d.now(),
      connectionId,
    });
    await d.enqueue([syncJob(install.tenant_id, install.connection_id, "install")]);
    const code = await createLoginLink(d.db, install.tenant_id, who.user ?? "admin", d.now());
    return c.redirect(`/admin/login?code=${encodeURIComponent(code)}`, 302);
  });

  return r;
}
