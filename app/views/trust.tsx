// Trust: how the settings in force would have done on this tenant's own history once outcomes
// exist, how much of the portfolio each source covers, and how old each source's data is.
import { MIN_CHURNED_TO_JUDGE } from "../../core/backtest.ts";
import type { BacktestProgress } from "../tenant/tenant-store.ts";
import { Layout, TableWrap } from "./layout.tsx";
import { PreviewTable } from "./settings.tsx";

type Done = Extract<BacktestProgress, { done: true }>;

export function TrustPage(props: {
  tenant: string;
  backtest: Done;
  accounts: number;
  coverage: { kind: string; vendor: string; accounts: number }[];
  dataAge: { kind: string; vendor: string; newest: string | null; rows: number }[];
}) {
  const r = props.backtest.report;
  const enough = r.churned >= MIN_CHURNED_TO_JUDGE;
  return (
    <Layout title="Trust" tenant={props.tenant}>
      <h1>Can you trust these scores?</h1>
      <section id="backtest">
        <h2>The settings in force, on your own history</h2>
        {enough ? (
          <PreviewTable preview={{ current: props.backtest, draft: props.backtest, changed: [] }} />
        ) : (
          <p id="too-few">
            Too few outcomes to judge yet: {r.churned} churned{" "}
            {r.churned === 1 ? "account" : "accounts"} with 60 days of scores before churn (at least{" "}
            {MIN_CHURNED_TO_JUDGE} are needed). Outcomes come from Salesforce renewal opportunities
            closed lost and from HubSpot's churn-date company property. Until then Ebb shows its
            false alarms: {r.falseAlarmsPerHealthyAccountYear.toFixed(2)} per healthy account-year
            over {r.healthyAccountYears.toFixed(1)} account-years.
          </p>
        )}
      </section>
      <section id="coverage">
        <h2>Coverage per source (last 90 days)</h2>
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Vendor</th>
                <th scope="col">Accounts with data</th>
              </tr>
            </thead>
            <tbody>
              {props.coverage.map((c) => (
                <tr class="coverage-row">
                  <td>{c.kind}</td>
                  <td>{c.vendor}</td>
                  <td>
                    {c.accounts} of {props.accounts} (
                    {props.accounts ? Math.round((100 * c.accounts) / props.accounts) : 0}%)
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
      <section id="data-age">
        <h2>Data age per source</h2>
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Vendor</th>
                <th scope="col">Records</th>
                <th scope="col">Newest</th>
              </tr>
            </thead>
            <tbody>
              {props.dataAge.map((d) => (
                <tr class="age-row">
                  <td>{d.kind}</td>
                  <td>{d.vendor}</td>
                  <td>{d.rows.toLocaleString("en")}</td>
                  <td>{d.newest ? d.newest.slice(0, 10) : "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      </section>
    </Layout>
  );
}
