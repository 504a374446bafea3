// The admin UI (a sub-app mounted at /admin), server-rendered (htmx only polls and posts fragments): reached only with a session started from the installing admin's
// single-use login link. POSTs carry the session's CSRF token. The session names the tenant; no
// admin route takes a tenant from the request.
import { Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { addDays } from "../../core/day.ts";
import { Band, Stage, Trend } from "../../core/model.ts";
import type { Policy } from "../../core/policy.ts";
import { getTenant, listConnections, listJobFailures } from "../db/directory-repo.ts";
import {
  createLoginLink,
  endSession,
  findSession,
  redeemLoginLink,
  type Session,
} from "../db/sessions-repo.ts";
import { createWriteKey, listWriteKeys, revokeWriteKey } from "../db/write-keys-repo.ts";
import { type Deps, dayOf } from "../deps.ts";
import { syncJob } from "../jobs/messages.ts";
import { type AccountFilter, SORTS } from "../tenant/accounts-query.ts";
import { policyDiff } from "../tenant/settings-repo.ts";
import type { BacktestProgress, TenantStore } from "../tenant/tenant-store.ts";
import { taskVendorsOf, ticketSourcesOf } from "../vendors.ts";
import { AccountPage, type VendorLink } from "../views/account.tsx";
import { AccountsPage, accountsCsv } from "../views/accounts.tsx";
import { ConnectPage } from "../views/connect.tsx";
import { type Allowance, Dashboard, SyncLive } from "../views/dashboard.tsx";
import { Layout } from "../views/layout.tsx";
import { PreviewsPage, type VendorPreview } from "../views/previews.tsx";
import { type Preview, SettingsPage } from "../views/settings.tsx";
import { TrustPage } from "../views/trust.tsx";
import { UsageSection } from "../views/usage.tsx";
import { WritebackPage } from "../views/writeback.tsx";
import { scoreAfterUsage } from "./ingest.ts";
import { consentUrl, siteOf } from "./install.ts";
import { describeIssues, HttpProblem } from "./problem.ts";
import { policyFromForm } from "./settings-form.ts";
import { MAX_UPLOAD_BYTES, readUsageUpload } from "./usage-upload.ts";

const COOKIE = "ebb_session";
/** A filter field left empty in the form is no filter. */
const blank = (v: unknown) => (v === "" ? undefined : v);
const SnoozeForm = z.object({
  until: z.preprocess(
    blank,
    z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, "a day as YYYY-MM-DD")
      .optional(),
  ),
  note: z.preprocess(blank, z.string().max(500, "a note is at most 500 characters").optional()),
});
const AccountQuery = z.object({
  q: z.preprocess(blank, z.string().max(200).optional()),
  owner: z.preprocess(blank, z.string().max(200).optional()),
  band: z.preprocess(blank, Band.optional()),
  trend: z.preprocess(blank, Trend.optional()),
  stage: z.preprocess(blank, Stage.optional()),
  renewal: z.preprocess(blank, z.coerce.number().int().min(0).max(3650).optional()),
  arrMin: z.preprocess(blank, z.coerce.number().min(0).optional()),
  arrMax: z.preprocess(blank, z.coerce.number().min(0).optional()),
  vendor: z.preprocess(blank, z.string().max(50).optional()),
  sort: z.preprocess(blank, z.enum(SORTS).optional()),
  dir: z.preprocess(blank, z.enum(["asc", "desc"]).optional()),
  page: z.preprocess(blank, z.coerce.number().int().min(1).optional()),
});
const AccountId = z.string().min(1).max(200, "account id is longer than 200 characters");

const IdentityForm = z.object({
  vendor: z.string().min(1).max(50),
  source: z.string().min(1).max(200),
  into: z.string().max(200),
});

type AdminEnv = { Bindings: Env; Variables: { session: Session } };

/** A POSTed admin form, readable and carrying the session's CSRF token (400, 403 otherwise). */
async function checkedForm(req: { parseBody(): Promise<Record<string, unknown>> }, s: Session) {
  const form = await req.parseBody().catch(() => {
    throw new HttpProblem(400, "invalid_form", "the form could not be read (send it as a form)");
  });
  if (form.csrf !== s.csrf)
    throw new HttpProblem(403, "bad_csrf", "the form's CSRF token does not match");
  return form;
}

/** Whether this Worker has the vendor's app configuration (a vendor without it cannot be connected). */
function configured(v: { app(): unknown }): boolean {
  try {
    v.app();
    return true;
  } catch {
    return false;
  }
}

export function adminRoutes(deps: (c: { env: Env }) => Deps) {
  const r = new Hono<AdminEnv>();

  // Admin pages: no scripts at all, styles only from the page itself, never framed, forms posting
  // only here; and never cached, since they carry tenant data and the session's CSRF token.
  r.use(
    "*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        // htmx, served by this Worker (routes/static.ts); no inline script, no eval.
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      xFrameOptions: "DENY",
      referrerPolicy: "no-referrer",
    }),
  );
  r.use("*", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
  });

  r.get("/login", async (c) => {
    const q = z.object({ code: z.string().min(20, "code is too short") }).safeParse(c.req.query());
    if (!q.success) throw new HttpProblem(400, "invalid_code", describeIssues(q.error.issues));
    const d = deps(c);
    const started = await redeemLoginLink(d.db, q.data.code, d.now());
    if (!started)
      throw new HttpProblem(401, "link_used", "this login link is unknown, used or expired");
    setCookie(c, COOKIE, started.sessionId, {
      httpOnly: true,
      sameSite: "Lax",
      secure: new URL(c.req.url).protocol === "https:",
      path: "/",
      maxAge: Math.max(0, Math.floor((started.session.expiresAt - d.now()) / 1000)),
    });
    return c.redirect("/admin", 302);
  });

  const requireSession = createMiddleware<AdminEnv>(async (c, next) => {
    const id = getCookie(c, COOKIE);
    const session = id ? await findSession(deps(c).db, id, deps(c).now()) : null;
    if (!session) {
      if (id) deleteCookie(c, COOKIE, { path: "/" });
      throw new HttpProblem(401, "no_session", "sign in through your install's login link");
    }
    c.set("session", session);
    await next();
  });
  // Every admin route but the login needs a session (the sub-app is mounted at /admin).
  r.use("*", async (c, next) => (c.req.path === "/admin/login" ? next() : requireSession(c, next)));

  r.get("/", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const [tenant, connections, failures, overview] = await Promise.all([
      getTenant(d.db, s.tenantId),
      listConnections(d.db, { tenantId: s.tenantId }),
      listJobFailures(d.db, s.tenantId),
      d.tenant(s.tenantId).overview(dayOf(d.now())),
    ]);
    const active = connections.filter((x) => x.status === "active");
    const connected = [...new Set(active.map((x) => x.vendor))];
    const sources = ticketSourcesOf(d.vendors, active);
    const ticketSource =
      sources.length > 1
        ? {
            current: await d.tenant(s.tenantId).ticketSource(sources),
            choices: connected.map((v) => ({
              id: v,
              label: d.vendors.find(v)?.connector.label ?? v,
            })),
          }
        : undefined;
    // Ebb's share of each vendor allocation it draws on (Salesforce's daily API requests).
    const allowances: Record<string, Allowance> = {};
    for (const x of active) {
      const v = d.vendors.find(x.vendor);
      if (!v?.connector.allowance) continue;
      const usage = await d.gate(x.id).allowanceUsage();
      if (usage) allowances[x.id] = { ...usage, share: v.connector.allowance(v.app()).share };
    }
    const taskVendors = taskVendorsOf(d.vendors, active);
    const taskHome =
      taskVendors.length > 1
        ? {
            current: await d.tenant(s.tenantId).taskHome(taskVendors),
            choices: taskVendors.map((v) => ({
              id: v,
              label: d.vendors.find(v)?.connector.label ?? v,
            })),
          }
        : undefined;
    return c.html(
      <Dashboard
        tenant={tenant?.name ?? s.tenantId}
        overview={overview}
        connections={connections}
        failures={failures}
        csrf={s.csrf}
        now={d.now()}
        today={dayOf(d.now())}
        ticketSource={ticketSource}
        taskHome={taskHome}
        allowances={allowances}
        connectable={d.vendors
          .all()
          .filter((v) => !connections.some((x) => x.vendor === v.id) && configured(v))
          .map((v) => ({
            id: v.id,
            label: v.connector.label,
            ...(v.connector.install.site
              ? {
                  site: {
                    param: v.connector.install.site.param,
                    label: v.connector.install.site.label,
                  },
                }
              : {}),
          }))}
      />,
    );
  });

  // Connect another vendor to this tenant: the OAuth round trip of an install, bound to this
  // session's tenant. The consent page is another origin, so it is a link (form-action is 'self').
  r.post("/connect", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    const vendor = d.vendors.find(String(form.vendor ?? ""));
    if (!vendor) throw new HttpProblem(404, "unknown_vendor", `no vendor ${String(form.vendor)}`);
    const site = siteOf(vendor, typeof form.site === "string" ? form.site.trim() : undefined);
    const url = await consentUrl(c, d, vendor, "connect", { site, tenantId: s.tenantId });
    return c.html(<ConnectPage tenant={s.tenantId} label={vendor.connector.label} url={url} />);
  });

  // Which connected vendor's tickets count (a help desk's by default), then a sync to read them.
  r.post("/ticket-source", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    const connections = await listConnections(d.db, { tenantId: s.tenantId, status: "active" });
    const chosen = connections.filter((x) => x.vendor === String(form.vendor ?? ""));
    if (chosen.length === 0)
      throw new HttpProblem(
        400,
        "not_connected",
        `${String(form.vendor)} is not connected to this tenant`,
      );
    const r = await d.tenant(s.tenantId).setTicketSource(String(form.vendor));
    if (!r.ok) throw new HttpProblem(409, "busy", r.reason);
    await d.enqueue(chosen.map((x) => syncJob(s.tenantId, x.id, "manual")));
    return c.redirect("/admin", 303);
  });

  // Which connected CRM Ebb's follow-up tasks go into (the first connected one by default).
  r.post("/task-home", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    const connections = await listConnections(d.db, { tenantId: s.tenantId, status: "active" });
    const vendor = String(form.vendor ?? "");
    if (!taskVendorsOf(d.vendors, connections).includes(vendor))
      throw new HttpProblem(
        400,
        "not_a_task_home",
        `${vendor} is not a connected vendor that holds tasks`,
      );
    await d.tenant(s.tenantId).setTaskHome(vendor);
    return c.redirect("/admin", 303);
  });

  // The usage ingestion API's write keys: a new one is shown once, on the page this answers.
  r.post("/usage/keys", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    const label = z
      .string()
      .trim()
      .min(1, "name the key")
      .max(80, "a key's name is at most 80 characters")
      .safeParse(form.label ?? "");
    if (!label.success)
      throw new HttpProblem(400, "invalid_form", describeIssues(label.error.issues));
    const created = await createWriteKey(d.db, s.tenantId, label.data, s.admin, d.now());
    return c.html(await usagePage(d, s, { newKey: created.key }));
  });

  r.post("/usage/keys/revoke", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    if (!(await revokeWriteKey(d.db, s.tenantId, String(form.id ?? ""), d.now())))
      throw new HttpProblem(404, "no_write_key", "this tenant has no such live write key");
    return c.redirect("/admin/usage", 303);
  });

  r.get("/usage", async (c) => c.html(await usagePage(deps(c), c.get("session"), {})));

  r.post("/usage/upload", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    const file = form.file;
    if (!(file instanceof File) || file.size === 0)
      throw new HttpProblem(400, "no_file", "choose a CSV or NDJSON file of daily usage");
    if (file.size > MAX_UPLOAD_BYTES)
      throw new HttpProblem(400, "file_too_large", "an upload is at most 20 MB: split the file");
    const read = readUsageUpload(file.name, await file.text());
    const stored = read.samples.length
      ? await d.tenant(s.tenantId).uploadUsage(read.samples, d.now())
      : { written: 0, accounts: 0, unknown: [] };
    if (stored.written > 0) await scoreAfterUsage(d, s.tenantId);
    const errors = [...read.errors, ...stored.unknown.map((u) => `${file.name}:${u.message}`)];
    return c.html(
      await usagePage(d, s, {
        upload: { written: stored.written, accounts: stored.accounts, errors },
      }),
      errors.length && stored.written === 0 ? 400 : 200,
    );
  });

  // Every account: search, filters, sort and pages; the same view as CSV.
  const listOf = async (
    c: { req: { query(): Record<string, string> } },
    d: Deps,
    s: Session,
    all: boolean,
  ) => {
    const q = AccountQuery.safeParse(c.req.query());
    if (!q.success) throw new HttpProblem(400, "invalid_filter", describeIssues(q.error.issues));
    const { renewal, dir, ...rest } = q.data;
    const filter: AccountFilter = {
      ...rest,
      ...(renewal !== undefined ? { renewalWithin: renewal } : {}),
      desc: dir === "desc",
      ...(all ? { page: 1, perPage: 1_000_000 } : {}),
    };
    return { filter, list: await d.tenant(s.tenantId).accounts(filter, dayOf(d.now())) };
  };

  r.get("/accounts", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const { filter, list } = await listOf(c, d, s, false);
    const tenant = await getTenant(d.db, s.tenantId);
    return c.html(<AccountsPage tenant={tenant?.name ?? s.tenantId} list={list} filter={filter} />);
  });

  r.get("/accounts.csv", async (c) => {
    const d = deps(c);
    const { list } = await listOf(c, d, c.get("session"), true);
    c.header("Content-Disposition", `attachment; filename="ebb-accounts-${dayOf(d.now())}.csv"`);
    return c.body(accountsCsv(list), 200, { "Content-Type": "text/csv; charset=utf-8" });
  });

  r.get("/accounts/:id", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const id = AccountId.safeParse(c.req.param("id"));
    if (!id.success)
      throw new HttpProblem(400, "invalid_account_id", describeIssues(id.error.issues));
    const view = await d.tenant(s.tenantId).account(id.data);
    if (!view) throw new HttpProblem(404, "no_account", `no account ${id.data}`);
    const [tenant, links] = await Promise.all([
      getTenant(d.db, s.tenantId),
      vendorLinks(d, s.tenantId, view.detail.links),
    ]);
    return c.html(
      <AccountPage tenant={tenant?.name ?? s.tenantId} view={view} csrf={s.csrf} links={links} />,
    );
  });

  // What each connected vendor shows for this account, from the data its own view gets.
  r.get("/previews/:id", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const id = AccountId.safeParse(c.req.param("id"));
    if (!id.success)
      throw new HttpProblem(400, "invalid_account_id", describeIssues(id.error.issues));
    const store = d.tenant(s.tenantId);
    const view = await store.account(id.data);
    if (!view) throw new HttpProblem(404, "no_account", `no account ${id.data}`);
    const [tenant, written] = await Promise.all([
      getTenant(d.db, s.tenantId),
      store.writtenFields(id.data),
    ]);
    const previews: VendorPreview[] = [];
    for (const l of view.detail.links) {
      const v = d.vendors.find(l.vendor);
      if (!v) continue;
      const p: VendorPreview = {
        vendor: l.vendor,
        label: v.connector.label,
        externalId: l.externalId,
      };
      if (v.connector.view)
        p.response = v.connector.view.render(
          l.externalId,
          await store.accountView(l.vendor, l.externalId),
        ) as Record<string, unknown>;
      else p.fields = written[l.vendor];
      previews.push(p);
    }
    return c.html(
      <PreviewsPage
        tenant={tenant?.name ?? s.tenantId}
        accountId={id.data}
        name={view.account.name}
        previews={previews}
      />,
    );
  });

  // Settings: the policy in force and its history; a draft previewed by a backtest before saving.
  const settingsPage = async (
    d: Deps,
    s: Session,
    extra: { draft?: Policy; preview?: Preview; saved?: string[] } = {},
  ) => {
    const [tenant, settings] = await Promise.all([
      getTenant(d.db, s.tenantId),
      d.tenant(s.tenantId).settings(),
    ]);
    return (
      <SettingsPage
        tenant={tenant?.name ?? s.tenantId}
        csrf={s.csrf}
        draft={extra.draft ?? settings.policy}
        changes={settings.changes}
        preview={extra.preview}
        saved={extra.saved}
      />
    );
  };

  r.get("/settings", async (c) => c.html(await settingsPage(deps(c), c.get("session"))));

  r.post("/settings/preview", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    const draft = policyFromForm(form);
    const store = d.tenant(s.tenantId);
    const today = dayOf(d.now());
    const current = await backtestOf(store, null, today);
    const drafted = await backtestOf(store, draft, today);
    const { policy } = await store.settings();
    return c.html(
      await settingsPage(d, s, {
        draft,
        preview: { current, draft: drafted, changed: policyDiff(policy, draft) },
      }),
    );
  });

  r.post("/settings", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    const policy = policyFromForm(form);
    const { changed } = await d.tenant(s.tenantId).saveSettings(policy, s.admin, d.now());
    if (changed.length) await scoreAfterUsage(d, s.tenantId);
    return c.html(await settingsPage(d, s, { saved: changed }));
  });

  r.post("/settings/undo", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = await checkedForm(c.req, s);
    const id = z.coerce.number().int().min(1).safeParse(form.id);
    if (!id.success) throw new HttpProblem(400, "invalid_form", "id: the change to undo");
    const done = await d.tenant(s.tenantId).undoSettings(id.data, s.admin, d.now());
    if (!done.ok) throw new HttpProblem(409, "cannot_undo", done.reason);
    if (done.changed.length) await scoreAfterUsage(d, s.tenantId);
    return c.html(await settingsPage(d, s, { saved: done.changed }));
  });

  // Trust: the settings in force backtested on this tenant's history, coverage and data age.
  r.get("/trust", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const store = d.tenant(s.tenantId);
    const today = dayOf(d.now());
    const [tenant, backtest, sources] = await Promise.all([
      getTenant(d.db, s.tenantId),
      backtestOf(store, null, today),
      store.sources(addDays(today, -90)),
    ]);
    return c.html(
      <TrustPage tenant={tenant?.name ?? s.tenantId} backtest={backtest} {...sources} />,
    );
  });

  // The writeback log, and a retry of what failed (failed accounts stay waiting until written).
  const writebackPage = async (d: Deps, s: Session, failuresOnly: boolean, retried: boolean) => {
    const store = d.tenant(s.tenantId);
    const [tenant, entries, waiting, connections] = await Promise.all([
      getTenant(d.db, s.tenantId),
      store.writebackLog({ failuresOnly }),
      store.writebackWaiting(),
      listConnections(d.db, { tenantId: s.tenantId }),
    ]);
    const install = new Map(connections.map((x) => [x.vendor, x.external_id]));
    return (
      <WritebackPage
        tenant={tenant?.name ?? s.tenantId}
        csrf={s.csrf}
        entries={entries}
        waiting={waiting}
        failuresOnly={failuresOnly}
        retried={retried}
        urlOf={(vendor, externalId) => {
          const at = install.get(vendor);
          const v = d.vendors.find(vendor);
          return at && v?.connector.recordUrl ? v.connector.recordUrl(at, externalId) : undefined;
        }}
      />
    );
  };

  r.get("/writeback", async (c) =>
    c.html(
      await writebackPage(
        deps(c),
        c.get("session"),
        c.req.query("failures") === "1",
        c.req.query("retried") === "1",
      ),
    ),
  );

  r.post("/writeback/retry", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    await checkedForm(c.req, s);
    const connections = await listConnections(d.db, { tenantId: s.tenantId, status: "active" });
    await d.enqueue(
      connections.map((x) => ({
        kind: "writeback" as const,
        tenantId: s.tenantId,
        connectionId: x.id,
      })),
    );
    return c.redirect("/admin/writeback?retried=1", 303);
  });

  // A CSM snoozes an account's alerts until a day, with a note; an empty day ends the snooze.
  r.post("/accounts/:id/snooze", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const id = AccountId.safeParse(c.req.param("id"));
    if (!id.success)
      throw new HttpProblem(400, "invalid_account_id", describeIssues(id.error.issues));
    const form = SnoozeForm.safeParse(await checkedForm(c.req, s));
    if (!form.success)
      throw new HttpProblem(400, "invalid_form", describeIssues(form.error.issues));
    const { until, note } = form.data;
    if (until !== undefined && until <= dayOf(d.now()))
      throw new HttpProblem(400, "invalid_form", "until: a snooze ends on a day after today");
    const done = await d
      .tenant(s.tenantId)
      .snooze(id.data, until ?? null, note ?? "", s.admin, d.now());
    if (!done) throw new HttpProblem(404, "no_account", `no account ${id.data}`);
    return c.redirect(`/admin/accounts/${encodeURIComponent(id.data)}`, 303);
  });

  // Sign out: the session ends on the server, not only in this browser.
  r.post("/logout", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    await checkedForm(c.req, s);
    await endSession(d.db, getCookie(c, COOKIE) ?? "");
    deleteCookie(c, COOKIE, { path: "/" });
    return c.html(
      <Layout title="Signed out" tenant="">
        <section>
          <h1>Signed out of Ebb</h1>
          <p>
            To come back, open a new login link from your install, or install Ebb again from your
            vendor's marketplace.
          </p>
        </section>
      </Layout>,
    );
  });

  // An admin says which customer an account with an ambiguous domain is (`into` empty: its own).
  r.post("/identity", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const form = IdentityForm.safeParse(await checkedForm(c.req, s));
    if (!form.success)
      throw new HttpProblem(400, "invalid_form", describeIssues(form.error.issues));
    const { vendor, source, into } = form.data;
    const done = await d.tenant(s.tenantId).resolveIdentity(vendor, source, into || null);
    if (!done.ok) throw new HttpProblem(409, "identity_changed", done.reason);
    // The joined account is scored with its new records at the next sync.
    const connections = await listConnections(d.db, { tenantId: s.tenantId, status: "active" });
    await d.enqueue(connections.map((x) => syncJob(s.tenantId, x.id, "manual")));
    return c.redirect("/admin", 303);
  });

  r.post("/sync", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    await checkedForm(c.req, s);
    const connections = await listConnections(d.db, { tenantId: s.tenantId, status: "active" });
    await d.enqueue(connections.map((x) => syncJob(s.tenantId, x.id, "manual")));
    // From htmx: say it started, in place; the sync table below moves as it runs.
    if (c.req.header("HX-Request") === "true")
      return c.text(
        `Sync started at ${new Date(d.now()).toISOString().slice(11, 19)} UTC for ${connections.length} ${connections.length === 1 ? "connection" : "connections"}.`,
      );
    return c.redirect("/admin", 303);
  });

  // The connections-and-sync part of the portfolio page, which htmx polls while the page is open.
  r.get("/fragments/sync", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const [connections, overview] = await Promise.all([
      listConnections(d.db, { tenantId: s.tenantId }),
      d.tenant(s.tenantId).overview(dayOf(d.now())),
    ]);
    return c.html(<SyncLive connections={connections} overview={overview} now={d.now()} />);
  });

  // JSON for scripts (the demo waits on it): the same facts the dashboard shows.
  r.get("/api/status", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const [connections, overview] = await Promise.all([
      listConnections(d.db, { tenantId: s.tenantId }),
      d.tenant(s.tenantId).overview(dayOf(d.now())),
    ]);
    return c.json({ connections, ...overview });
  });

  // A fresh single-use login link for the signed-in admin (to open the admin on another device).
  r.post("/api/login-links", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    if (c.req.header("x-csrf-token") !== s.csrf)
      throw new HttpProblem(403, "bad_csrf", "x-csrf-token header does not match the session");
    // The new session ends when this one would: minting links never extends a session.
    const code = await createLoginLink(d.db, s.tenantId, s.admin, d.now(), s);
    return c.json({
      url: new URL(`/admin/login?code=${encodeURIComponent(code)}`, d.publicUrl).toString(),
    });
  });

  // One account's daily usage from the ingestion API and uploads (an id of any vendor, or a domain).
  r.get("/api/usage", async (c) => {
    const d = deps(c);
    const s = c.get("session");
    const ref = AccountId.safeParse(c.req.query("account") ?? "");
    if (!ref.success)
      throw new HttpProblem(400, "invalid_account_id", describeIssues(ref.error.issues));
    const usage = await d.tenant(s.tenantId).usageDays(ref.data);
    if (!usage) throw new HttpProblem(404, "no_account", `no account ${ref.data}`);
    return c.json(usage);
  });

  r.get("/api/session", (c) =>
    c.json({ tenantId: c.get("session").tenantId, csrf: c.get("session").csrf }),
  );

  return r;
}

/** A backtest on the tenant's store, a budgeted step at a time (each step one short invocation). */
async function backtestOf(
  store: DurableObjectStub<TenantStore>,
  policy: Policy | null,
  today: string,
): Promise<Extract<BacktestProgress, { done: true }>> {
  for (;;) {
    const p = (await store.backtestStep(policy, today)) as BacktestProgress;
    if (p.done) return p;
  }
}

/** Each vendor record of an account, with where it opens in that vendor. */
async function vendorLinks(
  d: Deps,
  tenantId: string,
  links: { vendor: string; externalId: string }[],
): Promise<VendorLink[]> {
  const connections = await listConnections(d.db, { tenantId });
  return links.map((l) => {
    const v = d.vendors.find(l.vendor);
    const install = connections.find((x) => x.vendor === l.vendor)?.external_id;
    return {
      vendor: l.vendor,
      label: v?.connector.label ?? l.vendor,
      externalId: l.externalId,
      url:
        install && v?.connector.recordUrl
          ? v.connector.recordUrl(install, l.externalId)
          : undefined,
    };
  });
}

/** The product-usage page: keys, what landed and what was refused, the upload form. */
async function usagePage(
  d: Deps,
  s: Session,
  extra: {
    newKey?: string;
    upload?: { written: number; accounts: number; errors: string[] };
  },
) {
  const [tenant, keys, status] = await Promise.all([
    getTenant(d.db, s.tenantId),
    listWriteKeys(d.db, s.tenantId),
    d.tenant(s.tenantId).usageStatus(),
  ]);
  return (
    <Layout title="Product usage" tenant={tenant?.name ?? s.tenantId}>
      <UsageSection
        keys={keys}
        status={status}
        csrf={s.csrf}
        now={d.now()}
        publicUrl={d.publicUrl}
        newKey={extra.newKey}
        upload={extra.upload}
      />
    </Layout>
  );
}
