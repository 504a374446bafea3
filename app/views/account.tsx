// One account: who it is, its score with the trend chart, every signal's part, and its tasks.
import { signalLabel } from "../../core/reasons.ts";
import type { TenantStore } from "../tenant/tenant-store.ts";
import { ScoreChart } from "./chart.tsx";
import { BandBadge, Layout, TableWrap } from "./layout.tsx";

type AccountView = NonNullable<ReturnType<TenantStore["account"]>>;

/** A vendor's record of this account, with where to open it. */
export interface VendorLink {
  vendor: string;
  label: string;
  externalId: string;
  url?: string | undefined;
}

export function AccountPage(props: {
  tenant: string;
  view: AccountView;
  csrf: string;
  links: VendorLink[];
}) {
  const { account, latest, series, tasks, snooze, detail, bands } = props.view;
  return (
    <Layout title={account.name} tenant={props.tenant}>
      <h1>{account.name}</h1>
      <p class="muted">
        {account.domain ?? "no domain"} · owner{" "}
        {account.ownerEmail ?? account.ownerId ?? "unassigned"}
        {account.renewalAt ? ` · renews ${account.renewalAt}` : ""}
      </p>
      <ul class="links" aria-label="This account in each vendor">
        {props.links.map((l) => (
          <li>
            {l.url ? (
              <a href={l.url} rel="noreferrer" target="_blank">
                {l.label} record {l.externalId}
              </a>
            ) : (
              `${l.label} record ${l.externalId}`
            )}
          </li>
        ))}
        <li>
          <a href={`/admin/previews/${encodeURIComponent(account.id)}`}>
            Preview what each vendor shows
          </a>
        </li>
      </ul>
      <section id="snooze">
        {snooze ? (
          <p>
            Alerts snoozed until <strong>{snooze.until}</strong>
            {snooze.by ? ` by ${snooze.by}` : ""}
            {snooze.note ? `: ${snooze.note}` : ""}. No task opens for this account before then.
          </p>
        ) : (
          <p class="muted">Alerts are not snoozed.</p>
        )}
        <form method="post" action={`/admin/accounts/${encodeURIComponent(account.id)}/snooze`}>
          <input type="hidden" name="csrf" value={props.csrf} />
          <label>
            Snooze alerts until <input type="date" name="until" value={snooze?.until ?? ""} />
          </label>{" "}
          <label>
            Note <input name="note" maxlength={500} value={snooze?.note ?? ""} />
          </label>{" "}
          <button type="submit">{snooze ? "Change snooze" : "Snooze"}</button>
        </form>
        {snooze ? (
          <form method="post" action={`/admin/accounts/${encodeURIComponent(account.id)}/snooze`}>
            <input type="hidden" name="csrf" value={props.csrf} />
            <button type="submit">End the snooze</button>
          </form>
        ) : null}
      </section>
      {latest ? (
        <section id="score">
          <h2>
            Score {latest.score} <BandBadge band={latest.band} /> {latest.trend} · coverage{" "}
            {Math.round(latest.coverage * 100)}% · {latest.day}
          </h2>
          <ScoreChart
            series={series}
            bands={bands}
            tasks={tasks
              .filter((t) => t.action === "open")
              .map((t) => ({ day: t.day, title: t.title }))}
          />
        </section>
      ) : (
        <section>
          <p class="muted">Not scored yet.</p>
        </section>
      )}
      {latest ? (
        <section id="signals">
          <h2>Signals</h2>
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th>Signal</th>
                  <th>Risk</th>
                  <th>Weight</th>
                  <th>Evidence</th>
                </tr>
              </thead>
              <tbody>
                {[...latest.signals]
                  .sort((a, b) => b.risk * b.weight - a.risk * a.weight)
                  .map((s) => (
                    <tr class="signal-row">
                      <td>{signalLabel(s.key)}</td>
                      <td>{s.risk.toFixed(2)}</td>
                      <td>{s.weight.toFixed(2)}</td>
                      <td>{s.evidence}</td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </TableWrap>
        </section>
      ) : null}
      <section id="contacts">
        <h2>Contacts</h2>
        {detail.contacts.length === 0 ? <p class="muted">No contacts known.</p> : null}
        <TableWrap>
          <table>
            {detail.contacts.length ? (
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Title</th>
                  <th>Persona</th>
                  <th>Status</th>
                </tr>
              </thead>
            ) : null}
            <tbody>
              {detail.contacts.map((c) => (
                <tr class={`contact-row${c.active ? "" : " departed"}`}>
                  <td>{c.name ?? c.email ?? c.id}</td>
                  <td>{c.title ?? ""}</td>
                  <td>
                    {c.persona === "champion" ? <strong>champion</strong> : (c.persona ?? "")}
                  </td>
                  <td>
                    {c.active ? "active" : `departed${c.leftAt ? ` ${c.leftAt.slice(0, 10)}` : ""}`}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
      <section id="timeline">
        <h2>
          Timeline, {detail.from} to {detail.through}
        </h2>
        {detail.timeline.length === 0 ? <p class="muted">Nothing happened in this time.</p> : null}
        <ol class="timeline">
          {detail.timeline.slice(0, 300).map((e) => (
            <li class={`timeline-entry timeline-${e.kind}`}>
              <time datetime={e.day}>{e.day}</time> {e.text}
              {e.vendor ? <span class="muted"> · {e.vendor}</span> : null}
            </li>
          ))}
        </ol>
      </section>
      <section id="tasks">
        <h2>Tasks</h2>
        {tasks.length === 0 ? <p class="muted">No tasks raised.</p> : null}
        <TableWrap>
          <table>
            <tbody>
              {tasks.map((t) => (
                <tr>
                  <td>{t.day}</td>
                  <td>{t.action === "open" ? "opened" : "closed"}</td>
                  <td>{t.title}</td>
                  <td class="muted">{t.pushed ? "in CRM" : "waiting for writeback"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
    </Layout>
  );
}
