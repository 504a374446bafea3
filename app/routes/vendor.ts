// What a vendor calls: webhook deliveries (`POST /:vendor/webhooks`) and its in-vendor view's data
// (`GET /:vendor/:view`, the path the connector names). Both are verified with the vendor's own
// signature before anything else; the install named in the signed request resolves the tenant, and
// only that tenant's store is asked.
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { findInstall } from "../db/directory-repo.ts";
import type { Deps } from "../deps.ts";
import { issueViewSession, verifyViewSession } from "../gate/view-session.ts";
import { syncJob } from "../jobs/messages.ts";
import type { Vendor } from "../vendors.ts";
import { HttpProblem } from "./problem.ts";

async function verified(
  d: Deps,
  vendor: Vendor,
  req: Request,
  body: string,
  secret?: string,
): Promise<void> {
  const r = await vendor.connector.verify(
    vendor.app(),
    { method: req.method, url: req.url, headers: req.headers, body },
    d.now(),
    secret,
  );
  if (!r.ok)
    throw new HttpProblem(
      401,
      "invalid_signature",
      `${vendor.connector.label} signature check failed: ${r.reason}`,
    );
}

export function vendorRoutes(deps: (c: { env: Env }) => Deps) {
  const r = new Hono<{ Bindings: Env }>();

  // The vendor's cap on a delivery, whether the body declares its length or not: a body without
  // Content-Length is read only up to the cap (Hono's body limit), then refused.
  r.post("/:vendor/webhooks", async (c, next) => {
    const hooks = deps(c).vendors.find(c.req.param("vendor"))?.connector.webhooks;
    if (!hooks) throw new HttpProblem(404, "not_found", `no webhooks for ${c.req.param("vendor")}`);
    return bodyLimit({
      maxSize: hooks.maxBytes,
      onError: () => {
        throw new HttpProblem(413, "too_large", `webhook body over ${hooks.maxBytes} bytes`);
      },
    })(c, next);
  });

  r.post("/:vendor/webhooks", async (c) => {
    const d = deps(c);
    const vendor = d.vendors.find(c.req.param("vendor"));
    const hooks = vendor?.connector.webhooks;
    if (!vendor || !hooks)
      throw new HttpProblem(404, "not_found", `no webhooks for ${c.req.param("vendor")}`);
    const body = await c.req.text();
    // A vendor that signs with a secret per connection: the install the delivery names (as setup
    // registered it) gives the connection, whose gate holds the secret; nothing is read before the
    // signature holds.
    let resolved: string | undefined;
    if (hooks.perConnection) {
      const request = { method: c.req.method, url: c.req.url, headers: c.req.raw.headers, body };
      const name = hooks.perConnection.install(request);
      const install = name ? await findInstall(d.db, vendor.id, name) : null;
      const secretName = hooks.perConnection.secretName(request);
      const secret =
        install && secretName
          ? await d.gate(install.connection_id).secret(install.connection_id, secretName)
          : undefined;
      await verified(d, vendor, c.req.raw, body, secret);
      resolved = name;
    } else await verified(d, vendor, c.req.raw, body);
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new HttpProblem(400, "invalid_json", "webhook body is not JSON");
    }
    const parsed = hooks.parse(json, resolved);
    if (!parsed.ok) throw new HttpProblem(400, "invalid_events", parsed.message);
    let accepted = 0;
    let ignored = 0;
    for (const { externalId, marks } of parsed.installs) {
      const install = await findInstall(d.db, vendor.id, externalId);
      if (!install) {
        ignored += marks.length;
        continue;
      }
      const r = await d.tenant(install.tenant_id).markChanges(marks);
      accepted += r.accepted;
      if (r.accepted > 0)
        await d.enqueue([syncJob(install.tenant_id, install.connection_id, "webhook")]);
    }
    return c.json({ accepted, ignored });
  });

  // A view that is a page Ebb serves: the vendor's signed load, then the page with its session.
  r.post("/:vendor/:view", async (c, next) => {
    const d = deps(c);
    const vendor = d.vendors.find(c.req.param("vendor"));
    const view = vendor?.connector.view;
    const session = vendor?.connector.viewSession;
    if (!vendor || !view || !session || view.path !== c.req.param("view")) return next();
    const form = await c.req.parseBody().catch(() => ({}));
    const fields = Object.fromEntries(
      Object.entries(form).filter((e): e is [string, string] => typeof e[1] === "string"),
    );
    const app = vendor.app();
    const load = await session.verifyLoad(app, fields, d.now());
    if (!load.ok)
      throw new HttpProblem(
        401,
        "invalid_signature",
        `${vendor.connector.label} page load refused: ${load.reason}`,
      );
    const install = await findInstall(d.db, vendor.id, load.externalId);
    if (!install)
      throw new HttpProblem(
        404,
        "not_installed",
        `${vendor.connector.label} ${load.externalId} has not connected Ebb: connect it from Ebb's admin first`,
      );
    const token = await issueViewSession(
      c.env.TOKEN_KEY,
      { vendor: vendor.id, externalId: load.externalId, user: load.user },
      d.now(),
    );
    const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    c.header(
      "content-security-policy",
      [
        "default-src 'none'",
        `script-src 'nonce-${nonce}' ${session.scriptSources(app).join(" ")}`,
        "style-src 'unsafe-inline'",
        "connect-src 'self'",
        "img-src 'self' data:",
        `frame-ancestors ${session.frameAncestors(app).join(" ")}`,
        "base-uri 'none'",
        "form-action 'none'",
      ].join("; "),
    );
    c.header("cache-control", "no-store");
    c.header("referrer-policy", "no-referrer");
    c.header("x-content-type-options", "nosniff");
    return c.html(
      session.page({
        session: token,
        dataPath: `/${vendor.id}/${view.path}`,
        externalId: load.externalId,
        nonce,
        app,
      }),
    );
  });

  r.get("/:vendor/:view", async (c, next) => {
    const d = deps(c);
    const vendor = d.vendors.find(c.req.param("vendor"));
    const view = vendor?.connector.view;
    if (!vendor || !view || view.path !== c.req.param("view")) return next();
    // A page's data: Ebb's own session for it, never the vendor's claims; else the vendor's signature.
    let sessionInstall: string | undefined;
    if (vendor.connector.viewSession) {
      const bearer = /^Bearer (.+)$/.exec(c.req.header("authorization") ?? "")?.[1];
      const s = bearer
        ? await verifyViewSession(c.env.TOKEN_KEY, vendor.id, bearer, d.now())
        : null;
      if (!s)
        throw new HttpProblem(
          401,
          "no_session",
          "this page's session is missing or has expired: reload the app",
        );
      sessionInstall = s.externalId;
    } else await verified(d, vendor, c.req.raw, "");
    // A parameter sent twice is ambiguous (which portal? which record?): refused, never guessed.
    const twice = Object.entries(c.req.queries()).find(([, values]) => values.length > 1);
    if (twice)
      throw new HttpProblem(
        400,
        "invalid_query",
        `${twice[0]} appears more than once in the query`,
      );
    const target = view.target(c.req.query());
    if (!target.ok) throw new HttpProblem(400, "invalid_query", target.message);
    if (sessionInstall !== undefined && target.externalId !== sessionInstall)
      throw new HttpProblem(403, "other_install", "this session is for another install");
    const install = await findInstall(d.db, vendor.id, target.externalId);
    if (!install)
      throw new HttpProblem(
        404,
        "not_installed",
        `${vendor.connector.label} ${target.externalId} has not installed Ebb`,
      );
    const account = await d.tenant(install.tenant_id).accountView(vendor.id, target.recordId);
    return c.json(view.render(target.recordId, account) as object);
  });

  return r;
}
