// Previews: what each connected vendor shows for one account, rendered here from the very data
// that vendor's view gets — the HubSpot card's and the Zendesk sidebar's answers (their own
// render functions on the account view), and the fields written into the Salesforce account that
// its Lightning card reads.
import { Layout } from "./layout.tsx";

export interface VendorPreview {
  vendor: string;
  label: string;
  externalId: string;
  /** The vendor view's answer (card or sidebar), as the vendor's UI receives it. */
  response?: Record<string, unknown> | undefined;
  /** The fields Ebb wrote into the vendor's record, which a card there reads. */
  fields?: Record<string, string> | undefined;
}

type Reason = { label?: string; key?: string; evidence?: string };
type OpenTask = { title?: string; dueAt?: string; priority?: string };

function ResponseBody(props: { r: Record<string, unknown> }) {
  const r = props.r;
  if (r.status !== "scored")
    return <p class="muted">{String(r.message ?? "Not scored yet: the view says so.")}</p>;
  const reasons = (r.reasons as Reason[] | undefined) ?? [];
  const advice = (r.advice as string[] | undefined) ?? [];
  const tasks = (r.openTasks as OpenTask[] | undefined) ?? [];
  const series = (r.series as { score: number }[] | undefined) ?? [];
  return (
    <>
      <p class="headline">
        <strong>
          {typeof r.headline === "string"
            ? r.headline
            : `Health ${String(r.score)}/100 · ${String(r.band).replace("_", " ")} · ${String(r.trend)}`}
        </strong>
      </p>
      {reasons.length ? (
        <>
          <h4>Why</h4>
          <ul class="reasons">
            {reasons.map((x) => (
              <li>
                {x.label ?? x.key}: {x.evidence}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {advice.length ? (
        <>
          <h4>On this ticket</h4>
          <ul class="advice">
            {advice.map((a) => (
              <li>{a}</li>
            ))}
          </ul>
        </>
      ) : null}
      {tasks.length ? (
        <>
          <h4>Open Ebb tasks</h4>
          <ul class="open-tasks">
            {tasks.map((t) => (
              <li>
                {t.title} (due {t.dueAt}
                {t.priority ? `, ${t.priority}` : ""})
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {series.length ? (
        <p class="muted">
          Trend over {series.length} days: {series[0]?.score} → {series[series.length - 1]?.score}
        </p>
      ) : null}
      {typeof r.scoredAt === "string" ? <p class="muted">Scored {r.scoredAt}</p> : null}
    </>
  );
}

export function PreviewsPage(props: {
  tenant: string;
  accountId: string;
  name: string;
  previews: VendorPreview[];
}) {
  return (
    <Layout title={`Previews · ${props.name}`} tenant={props.tenant}>
      <h1>What each vendor shows for {props.name}</h1>
      <p>
        <a href={`/admin/accounts/${encodeURIComponent(props.accountId)}`}>Back to the account</a>
      </p>
      {props.previews.length === 0 ? (
        <p class="muted">No connected vendor has a record of this account.</p>
      ) : null}
      <div class="grid">
        {props.previews.map((p) => (
          <section class="preview-card" id={`preview-${p.vendor}`}>
            <h2>
              {p.label}{" "}
              <span class="muted">
                {p.response
                  ? p.vendor === "zendesk"
                    ? "agent sidebar"
                    : "record card"
                  : "record fields"}{" "}
                · {p.externalId}
              </span>
            </h2>
            {p.response ? <ResponseBody r={p.response} /> : null}
            {p.fields ? (
              <dl class="fields">
                {Object.entries(p.fields).map(([k, v]) => (
                  <>
                    <dt>{k}</dt>
                    <dd>{v.length > 120 ? `${v.slice(0, 120)}…` : v}</dd>
                  </>
                ))}
              </dl>
            ) : null}
            {!p.response && !p.fields ? (
              <p class="muted">Nothing written to this record yet.</p>
            ) : null}
          </section>
        ))}
      </div>
    </Layout>
  );
}
