// The portfolio page: connections and sync progress, data age per source, the health distribution,
// the at-risk list with reasons, product-wide alerts and jobs that failed.
import { signalLabel, topReasons } from "../../core/reasons.ts";
import type { ConnectionRow } from "../db/directory-repo.ts";
import type { TenantStore } from "../tenant/tenant-store.ts";
import { ago, BandBadge, Layout, TableWrap } from "./layout.tsx";

type Overview = ReturnType<TenantStore["overview"]>;

export type Allowance = {
  calls: number;
  allowed?: number;
  orgUsed?: number;
  max?: number;
  share: number;
};

/** Ebb's share of a vendor's daily allocation, as the admin reads it. */
function allowanceLine(a: Allowance): string {
  const pct = Math.round(a.share * 100);
  if (a.max === undefined || a.allowed === undefined)
    return `API calls in the last 24 h: ${a.calls} (Ebb spends at most ${pct}% of the org's daily allocation)`;
  const used = a.allowed > 0 ? Math.round((a.calls / a.allowed) * 100) : 100;
  return `API calls in the last 24 h: ${a.calls.toLocaleString("en")} of Ebb's ${a.allowed.toLocaleString("en")} (${pct}% of the org's ${a.max.toLocaleString("en")}; ${used}% of Ebb's share used${a.orgUsed === undefined ? "" : `; the org has used ${a.orgUsed.toLocaleString("en")} in all`})`;
}

const BAND_ORDER = ["healthy", "watch", "at_risk", "insufficient_data"];

export function Dashboard(props: {
  tenant: string;
  overview: Overview;
  connections: ConnectionRow[];
  failures: { message_id: string; error: string; at: number }[];
  csrf: string;
  now: number;
  today: string;
  /** Which connected vendor's tickets count, when a help desk and another vendor both hold them. */
  ticketSource?: { current: string | null; choices: { id: string; label: string }[] } | undefined;
  taskHome?: { current: string | null; choices: { id: string; label: string }[] } | undefined;
  /** Per connection with a vendor allocation: Ebb's calls in its window and its share. */
  allowances?: Record<string, Allowance>;
  /** Vendors this tenant can still connect, with the site each asks for (a Zendesk subdomain). */
  connectable?: { id: string; label: string; site?: { param: string; label: string } }[];
}) {
  const o = props.overview;
  const total = Object.values(o.bands).reduce((a, b) => a + b, 0);
  return (
    <Layout title="Portfolio" tenant={props.tenant}>
      <h1>Portfolio health</h1>
      <section id="connections">
        <h2>Connections and sync</h2>
        <SyncLive
          connections={props.connections}
          overview={o}
          now={props.now}
          allowances={props.allowances}
        />
        <form
          method="post"
          action="/admin/sync"
          hx-post="/admin/sync"
          hx-target="#sync-started"
          hx-swap="innerHTML"
        >
          <input type="hidden" name="csrf" value={props.csrf} />
          <button type="submit">Sync now</button> <output id="sync-started" aria-live="polite" />
        </form>
        {props.ticketSource ? (
          <form method="post" action="/admin/ticket-source" class="ticket-source">
            <input type="hidden" name="csrf" value={props.csrf} />
            <label>
              Tickets count from{" "}
              <select name="vendor">
                {props.ticketSource.choices.map((v) => (
                  <option value={v.id} selected={v.id === props.ticketSource?.current}>
                    {v.label}
                  </option>
                ))}
              </select>
            </label>{" "}
            <button type="submit">Use these tickets</button>
            <span class="muted">
              {" "}
              More than one connected vendor holds tickets (a CRM often copies the help desk's; two
              CRMs may sync each other): only one source counts, so no ticket counts twice.
            </span>
          </form>
        ) : null}
        {props.taskHome ? (
          <form method="post" action="/admin/task-home" class="task-home">
            <input type="hidden" name="csrf" value={props.csrf} />
            <label>
              Follow-up tasks go into{" "}
              <select name="vendor">
                {props.taskHome.choices.map((v) => (
                  <option value={v.id} selected={v.id === props.taskHome?.current}>
                    {v.label}
                  </option>
                ))}
              </select>
            </label>{" "}
            <button type="submit">Send tasks here</button>
            <span class="muted">
              {" "}
              One CRM gets Ebb's tasks, so no one is asked twice; every CRM gets the health fields.
            </span>
          </form>
        ) : null}
        {(props.connectable ?? []).map((v) => (
          <form method="post" action="/admin/connect" class="connect">
            <input type="hidden" name="csrf" value={props.csrf} />
            <input type="hidden" name="vendor" value={v.id} />
            {v.site ? (
              <label>
                {v.site.label} <input name="site" required autocomplete="off" />
              </label>
            ) : null}
            <button type="submit">Connect {v.label}</button>
          </form>
        ))}
        <form method="post" action="/admin/logout">
          <input type="hidden" name="csrf" value={props.csrf} />
          <button type="submit">Sign out</button>
        </form>
      </section>

      <section id="data-age">
        <h2>Data age per source</h2>
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th>Source</th>
                <th>Records</th>
                <th>Newest</th>
              </tr>
            </thead>
            <tbody>
              {o.dataAge.map((a) => (
                <tr>
                  <td>
                    {a.vendor} {a.kind}
                  </td>
                  <td>{a.rows}</td>
                  <td>{a.newest ?? "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>

      <section id="distribution">
        <h2>
          Distribution ({o.accounts - o.ended} current accounts, scored through {props.today}
          {o.ended ? `; ${o.ended} ended earlier` : ""})
        </h2>
        <TableWrap>
          <table>
            <tbody>
              {BAND_ORDER.map((b) => {
                const n = o.bands[b] ?? 0;
                return (
                  <tr>
                    <td style="width:120px">
                      <BandBadge band={b} />
                    </td>
                    <td style="width:60px">{n}</td>
                    <td>
                      <span
                        class="bar"
                        style={`width:${total ? Math.round((100 * n) / total) : 0}%`}
                      />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      </section>

      <section id="at-risk">
        <h2>At risk or decaying ({o.atRisk.length})</h2>
        {o.atRisk.length === 0 ? <p class="muted">No account is at risk.</p> : null}
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th scope="col">Account</th>
                <th scope="col">Owner</th>
                <th scope="col">ARR</th>
                <th scope="col">Renewal</th>
                <th scope="col">Score</th>
                <th scope="col">Band and trend</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {o.atRisk.map((r) => (
                <tr class="at-risk-row">
                  <td>
                    <a href={`/admin/accounts/${encodeURIComponent(r.snapshot.accountId)}`}>
                      {r.name}
                    </a>
                  </td>
                  <td>{r.owner ?? "unassigned"}</td>
                  <td>{r.arr === null ? "–" : `$${Math.round(r.arr).toLocaleString("en-US")}`}</td>
                  <td>{r.renewalAt ?? "–"}</td>
                  <td>{r.snapshot.score}</td>
                  <td>
                    <BandBadge band={r.snapshot.band} /> {r.snapshot.trend}
                  </td>
                  <td>
                    {topReasons(r.snapshot).map((s) => (
                      <div>
                        <strong>{signalLabel(s.key)}</strong>: {s.evidence}
                      </div>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        <p>
          <a href="/admin/accounts">Every account ({o.accounts})</a>
        </p>
      </section>

      {o.identity.length ? (
        <section id="identity">
          <h2>Accounts to match ({o.identity.length})</h2>
          <p class="muted">
            Each of these shares its domain with several accounts from another source. Ebb scores it
            on its own until you say which customer it is.
          </p>
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Domain</th>
                  <th>Same customer as</th>
                </tr>
              </thead>
              <tbody>
                {o.identity.map((q) => (
                  <tr class="identity-question">
                    <td>
                      {q.account.name} <span class="muted">({q.vendor})</span>
                    </td>
                    <td>{q.domain}</td>
                    <td>
                      {[
                        ...q.candidates,
                        { id: "", name: "None: a customer of its own", vendors: [] },
                      ].map((c) => (
                        <form method="post" action="/admin/identity">
                          <input type="hidden" name="csrf" value={props.csrf} />
                          <input type="hidden" name="vendor" value={q.vendor} />
                          <input type="hidden" name="source" value={q.sourceId} />
                          <input type="hidden" name="into" value={c.id} />
                          <button type="submit">
                            {c.name}
                            {c.vendors.length ? ` (${c.vendors.join(", ")})` : ""}
                          </button>
                        </form>
                      ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </section>
      ) : null}

      {o.alerts.length ? (
        <section id="alerts">
          <h2>Product-wide alerts</h2>
          {o.alerts.map((a) => (
            <p>
              <strong>{a.day}</strong> {a.title}
              <br />
              <span class="muted">{a.body}</span>
            </p>
          ))}
        </section>
      ) : null}

      {props.failures.length ? (
        <section id="failures">
          <h2>Jobs that failed</h2>
          <TableWrap>
            <table>
              <tbody>
                {props.failures.map((f) => (
                  <tr>
                    <td>{ago(f.at, props.now)}</td>
                    <td class="error">{f.error}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </section>
      ) : null}
    </Layout>
  );
}

/** Rate and, where the total is known, an estimate of what is left. */
function pace(done: number, startedAt: number | null | undefined, now: number, total?: number) {
  if (!startedAt || done <= 0 || now <= startedAt) return "";
  const perMin = (done / (now - startedAt)) * 60_000;
  const rate = `${Math.round(perMin).toLocaleString("en")} a minute`;
  if (total === undefined || total <= done) return ` (${rate})`;
  const left = Math.ceil((total - done) / perMin);
  return ` (${rate}, about ${left <= 1 ? "a minute" : `${left} minutes`} left)`;
}

/**
 * Connections and sync progress, polled by htmx every two seconds while the page is open (the
 * fragment route renders this same component), so a sync's pages and records move without a reload.
 */
export function SyncLive(props: {
  connections: ConnectionRow[];
  overview: Overview;
  now: number;
  allowances?: Record<string, Allowance> | undefined;
}) {
  const o = props.overview;
  return (
    <div id="sync-live" hx-get="/admin/fragments/sync" hx-trigger="every 2s" hx-swap="outerHTML">
      <TableWrap>
        <table>
          <thead>
            <tr>
              <th>Vendor</th>
              <th>Account</th>
              <th>Status</th>
              <th>Sync</th>
              <th>This run</th>
              <th>All time</th>
              <th>Last page</th>
              <th>Last success</th>
            </tr>
          </thead>
          <tbody>
            {props.connections.map((c) => {
              const s = o.syncs.find((x) => x.connection_id === c.id);
              return (
                <tr>
                  <td>{c.vendor}</td>
                  <td>{c.external_id}</td>
                  <td>
                    {c.status}
                    {c.last_error ? <div class="error">{c.last_error}</div> : null}
                    {props.allowances?.[c.id] ? (
                      <div class="allowance muted">
                        {allowanceLine(props.allowances[c.id] as Allowance)}
                      </div>
                    ) : null}
                    {s?.refused.map((r) => (
                      <div class="error refused">
                        {c.vendor} refuses Ebb {r.objectType}: {r.reason}. Ebb syncs the rest; grant
                        it (reinstall from the marketplace with the scope) and the next sync reads
                        them all.
                      </div>
                    ))}
                  </td>
                  <td class="sync-status">{s?.status ?? "not started"}</td>
                  <td class="sync-run">
                    {s
                      ? `${s.run_pages} pages, ${s.run_records} records${s.status === "running" ? pace(s.run_records, s.run_started_at, props.now) : ""}`
                      : "–"}
                  </td>
                  <td>{s ? `${s.pages} pages, ${s.records} records, ${s.errors} errors` : "–"}</td>
                  <td>{ago(s?.last_page_at, props.now)}</td>
                  <td>{ago(s?.last_success_at, props.now)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </TableWrap>
      <p class="muted">
        {o.pendingMarks} webhook changes waiting for the next sync · {o.pendingWriteback} accounts
        waiting for writeback
        {o.scoring
          ? ` · scoring now: ${o.scoring.done} of ${o.scoring.planned} accounts${pace(o.scoring.done, o.scoring.startedAt, props.now, o.scoring.planned)}`
          : ""}
        {o.lastScore
          ? ` · last scoring: ${o.lastScore.accounts} accounts, ${o.lastScore.account_days} account-days in ${o.lastScore.ms} ms (${o.lastScore.slices} slices, the longest ${o.lastScore.longest_ms} ms)`
          : ""}
      </p>
    </div>
  );
}
