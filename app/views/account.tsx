// One account: who it is, its score with the trend chart, every signal's part, and its tasks.
import { signalLabel } from "../../core/reasons.ts";
import type { TenantStore } from "../tenant/tenant-store.ts";
import { ScoreChart } from "./chart.tsx";
import { BandBadge, Layout } from "./layout.tsx";

type AccountView = NonNullable<ReturnType<TenantStore["account"]>>;

export function AccountPage(props: { tenant: string; view: AccountView }) {
  const { account, latest, series, tasks } = props.view;
  return (
    <Layout title={account.name} tenant={props.tenant}>
      <h1>{account.name}</h1>
      <p class="muted">
        {account.domain ?? "no domain"} · owner{" "}
        {account.ownerEmail ?? account.ownerId ?? "unassigned"}
        {account.renewalAt ? ` · renews ${account.renewalAt}` : ""}
        {Object.entries(account.externalIds ?? {}).map(([v, id]) => ` · ${v} ${id}`)}
      </p>
      {latest ? (
        <section id="score">
          <h2>
            Score {latest.score} <BandBadge band={latest.band} /> {latest.trend} · coverage{" "}
            {Math.round(latest.coverage * 100)}% · {latest.day}
          </h2>
          <ScoreChart series={series} />
        </section>
      ) : (
        <section>
          <p class="muted">Not scored yet.</p>
        </section>
      )}
      {latest ? (
        <section id="signals">
          <h2>Signals</h2>
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
        </section>
      ) : null}
      <section id="tasks">
        <h2>Tasks</h2>
        {tasks.length === 0 ? <p class="muted">No tasks raised.</p> : null}
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
      </section>
    </Layout>
  );
}
