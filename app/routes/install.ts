// Installing Ebb from any vendor's marketplace: `/install/:vendor` redirects to the vendor's consent
// page with a single-use state; `/oauth/:vendor/callback` exchanges the code, names the install by
// the vendor's tenant key, creates the tenant and connection, seals the tokens in the connection's
// gate, queues the first full sync and signs the installing admin in. `/signin/:vendor` makes the
// same round trip to sign an admin in to an install that exists, changing nothing else. Both starts
// are unauthenticated and store a state: they are rate-limited per client.
import { type Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { z } from "zod";
import { ConnectorError } from "../../connectors/errors.ts";
import { installPath, oauthCallbackPath, signInPath } from "../../connectors/routes.ts";
import { findInstall, saveInstall } from "../db/directory-repo.ts";
import {
  consumeOAuthState,
  createLoginLink,
  createOAuthState,
  hashSecret,
  type OAuthIntent,
  STATE_TTL_MS,
} from "../db/sessions-repo.ts";
import type { Deps } from "../deps.ts";
import { pkceFor } from "../gate/pkce.ts";
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

/**
 * The install is bound to the browser that started it: `/install/:vendor` sets an HttpOnly cookie
 * holding a hash of the state, scoped to the vendor's callback, and the callback accepts a state only
 * with that cookie. A callback URL obtained for someone else's install (an attacker's portal) opened
 * in a victim's browser is refused, so nobody is signed in to a tenant they did not install.
 */
const stateCookie = (vendor: string) => `ebb_oauth_${vendor}`;

function vendorOf(d: Deps, id: string): Vendor {
  const v = d.vendors.find(id);
  if (!v) throw new HttpProblem(404, "unknown_vendor", `Ebb cannot be installed from ${id}`);
  return v;
}

/** The install's site from the start's query, for a vendor whose installs have one (400 otherwise). */
export function siteOf(vendor: Vendor, given: string | undefined): string | undefined {
  const site = vendor.connector.install.site;
  if (!site) return undefined;
  const parsed = site.schema.safeParse(given ?? "");
  if (!parsed.success)
    throw new HttpProblem(
      400,
      "site_required",
      `${vendor.connector.label} needs the ${site.label} (?${site.param}=…): ${parsed.error.issues[0]?.message}`,
    );
  return parsed.data;
}

/**
 * Store a single-use state bound to this browser (an HttpOnly cookie holding its hash, scoped to
 * the vendor's callback) and send the browser to the vendor's consent page.
 */
export async function consentUrl(
  c: Context,
  d: Deps,
  vendor: Vendor,
  intent: OAuthIntent,
  facts: { site?: string | undefined; tenantId?: string | undefined },
): Promise<string> {
  const app = vendor.app();
  const state = await createOAuthState(d.db, vendor.id, d.now(), intent, facts);
  setCookie(c, stateCookie(vendor.id), await hashSecret(state), {
    httpOnly: true,
    secure: new URL(c.req.url).protocol === "https:",
    // The vendor sends the browser back with a top-level GET: Lax cookies go with it.
    sameSite: "Lax",
    path: oauthCallbackPath(vendor.id),
    maxAge: Math.floor(STATE_TTL_MS / 1000),
  });
  const pkce = vendor.connector.install.pkce ? await pkceFor(c.env.TOKEN_KEY, state) : undefined;
  return vendor.connector.install.authorizeUrl(app, state, facts.site, pkce?.challenge);
}

async function redirectToConsent(
  c: Context,
  d: Deps,
  vendor: Vendor,
  intent: OAuthIntent,
  facts: { site?: string | undefined; tenantId?: string | undefined },
) {
  return c.redirect(await consentUrl(c, d, vendor, intent, facts), 302);
}

export function installRoutes(deps: (c: { env: Env }) => Deps) {
  const r = new Hono<{ Bindings: Env }>();

  const start = (intent: OAuthIntent) => async (c: Context<{ Bindings: Env }>) => {
    const d = deps(c);
    const vendor = vendorOf(d, c.req.param("vendor") ?? "");
    // Per client address, as Cloudflare gives it; requests without one share a key.
    const client = c.req.header("cf-connecting-ip") ?? "unknown";
    if (!(await c.env.START_LIMITER.limit({ key: `${intent}:${client}` })).success)
      throw new HttpProblem(
        429,
        "too_many_starts",
        `too many ${intent === "install" ? "installs" : "sign-ins"} started from this address: wait a minute and try again`,
      );
    const site = siteOf(vendor, c.req.query(vendor.connector.install.site?.param ?? ""));
    return redirectToConsent(c, d, vendor, intent, { site });
  };
  r.get(installPath(":vendor"), start("install"));
  r.get(signInPath(":vendor"), start("signin"));

  r.get(oauthCallbackPath(":vendor"), async (c) => {
    const d = deps(c);
    const vendor = vendorOf(d, c.req.param("vendor") ?? "");
    const { label, install: steps } = vendor.connector;
    const q = Callback.safeParse(c.req.query());
    if (!q.success)
      throw new HttpProblem(400, "invalid_callback", "the callback needs code and state");
    if ("error" in q.data)
      throw new HttpProblem(400, "install_declined", `${label} returned ${q.data.error}`);
    const bound = getCookie(c, stateCookie(vendor.id));
    // Both sides are hashes of a secret, so comparing them leaks nothing an attacker can use.
    if (!bound || bound !== (await hashSecret(q.data.state)))
      throw new HttpProblem(
        400,
        "state_not_this_browser",
        `this install was not started in this browser: start it again from ${installPath(vendor.id)}`,
      );
    deleteCookie(c, stateCookie(vendor.id), { path: oauthCallbackPath(vendor.id) });
    const facts = await consumeOAuthState(d.db, vendor.id, q.data.state, d.now());
    if (!facts)
      throw new HttpProblem(
        400,
        "invalid_state",
        "state is unknown, used or expired: start the install again",
      );
    // Everything that can fail at the vendor happens before anything is written here.
    const app = vendor.app();
    // A refused code (expired, used, forged) is the browser's problem to retry, not a vendor outage.
    const { intent, site } = facts;
    const pkce = steps.pkce ? await pkceFor(c.env.TOKEN_KEY, q.data.state) : undefined;
    const exchanged = await steps
      .exchangeCode(app, q.data.code, d.now(), site, pkce?.verifier)
      .catch((e: unknown) => {
        if (e instanceof ConnectorError && e.code === "auth")
          throw new HttpProblem(
            400,
            "code_refused",
            `${label} refused the authorization code (${e.message}): start the install again from ${installPath(vendor.id)}`,
          );
        throw e;
      });
    // The site travels with the tokens (sealed in the gate), so refreshes go to the same place.
    const tokens = site ? { ...exchanged, site } : exchanged;
    const who = await steps.identify(app, tokens, site);
    const existing = await findInstall(d.db, vendor.id, who.externalId);
    if (intent === "signin") {
      // Signing in: the vendor says who this is; the install, its tokens and its syncs stay as
      // they are.
      if (!existing)
        throw new HttpProblem(
          404,
          "not_installed",
          `Ebb is not installed for this ${label} account: install it first from ${installPath(vendor.id)}`,
        );
      const code = await createLoginLink(d.db, existing.tenant_id, who.user ?? "admin", d.now());
      return c.redirect(`/admin/login?code=${encodeURIComponent(code)}`, 302);
    }
    if (intent === "connect" && existing && existing.tenant_id !== facts.tenantId)
      throw new HttpProblem(
        409,
        "installed_elsewhere",
        `this ${label} account is already connected to another Ebb tenant`,
      );
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
      tenantId: intent === "connect" ? facts.tenantId : undefined,
    });
    await d.enqueue([syncJob(install.tenant_id, install.connection_id, "install")]);
    const code = await createLoginLink(d.db, install.tenant_id, who.user ?? "admin", d.now());
    return c.redirect(`/admin/login?code=${encodeURIComponent(code)}`, 302);
  });

  return r;
}
