// Settings: the scoring policy — signal weights per lifecycle stage, band lines, task rules — as
// one form. "Preview" backtests the draft on the tenant's own history beside the settings in force
// before anything is saved; "Save" puts it in force (recorded, undoable); the history lists changes.

import { MIN_CHURNED_TO_JUDGE } from "../../core/backtest.ts";
import { Stage } from "../../core/model.ts";
import { PLAYBOOKS } from "../../core/playbooks.ts";
import type { Policy } from "../../core/policy.ts";
import { signalLabel } from "../../core/reasons.ts";
import { SIGNALS } from "../../core/signals/index.ts";
import type { SettingsChange } from "../tenant/settings-repo.ts";
import type { BacktestProgress } from "../tenant/tenant-store.ts";
import { Layout, TableWrap } from "./layout.tsx";

type Done = Extract<BacktestProgress, { done: true }>;

export interface Preview {
  current: Done;
  draft: Done;
  /** Fields the draft changes. */
  changed: string[];
}

const pct = (v: number | null) => (v === null ? "–" : `${Math.round(v * 100)}%`);
const num = (v: number | null, digits = 2) => (v === null ? "–" : v.toFixed(digits));

/** The preview's figures, current settings beside the draft. */
export function PreviewTable(props: { preview: Preview }) {
  const { current: c, draft: d } = props.preview;
  const rows: [string, string, string][] = [
    ["Recall (warned 30+ days before churn)", pct(c.report.recallAt30), pct(d.report.recallAt30)],
    [
      "Median lead time",
      c.report.medianLeadDays === null ? "–" : `${c.report.medianLeadDays} days`,
      d.report.medianLeadDays === null ? "–" : `${d.report.medianLeadDays} days`,
    ],
    [
      "False alarms per healthy account-year",
      num(c.report.falseAlarmsPerHealthyAccountYear),
      num(d.report.falseAlarmsPerHealthyAccountYear),
    ],
    ["AUC 60 days before churn", num(c.report.auc60, 3), num(d.report.auc60, 3)],
    ["Tasks raised in the last quarter", String(c.tasksLastQuarter), String(d.tasksLastQuarter)],
  ];
  return (
    <TableWrap>
      <table id="preview-figures">
        <caption class="muted">
          Backtest on this tenant's own history: {c.report.accounts} accounts,{" "}
          {c.report.accountDays.toLocaleString("en")} account-days, {c.report.churned} churned
          accounts with at least 60 days scored before churn (draft scored in {d.ms} ms).
        </caption>
        <thead>
          <tr>
            <th scope="col">Figure</th>
            <th scope="col">In force</th>
            <th scope="col">Draft</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, a, b]) => (
            <tr class={a === b ? "" : "changed"}>
              <th scope="row">{label}</th>
              <td>{a}</td>
              <td class="draft-figure">{b}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.preview.changed.length ? (
        <p>
          The draft changes: <span class="muted">{props.preview.changed.join("; ")}</span>
        </p>
      ) : (
        <p class="muted">The draft is the same as the settings in force.</p>
      )}
      {c.report.churned < MIN_CHURNED_TO_JUDGE ? (
        <p class="error">
          Only {c.report.churned} churned accounts in this history: recall, lead time and AUC say
          little until more outcomes exist. False alarms and tasks are still counted.
        </p>
      ) : null}
    </TableWrap>
  );
}

/** A labelled number field of the settings form. */
function Num(props: { label: string; name: string; value: number; min: number; max: number }) {
  return (
    <label>
      {props.label}{" "}
      <input
        class="num"
        type="number"
        min={String(props.min)}
        max={String(props.max)}
        name={props.name}
        value={String(props.value)}
      />
    </label>
  );
}

export function SettingsPage(props: {
  tenant: string;
  csrf: string;
  /** What the form shows: the draft being previewed, else the policy in force. */
  draft: Policy;
  changes: SettingsChange[];
  preview?: Preview | undefined;
  saved?: string[] | undefined;
}) {
  const p = props.draft;
  const playbooks = [...new Set(Object.values(PLAYBOOKS).map((x) => x.id))];
  return (
    <Layout title="Settings" tenant={props.tenant}>
      <h1>Scoring settings</h1>
      {props.saved ? (
        <p role="status" id="saved">
          {props.saved.length
            ? `Saved: ${props.saved.join("; ")}. Every account is being rescored under the new settings.`
            : "Nothing changed."}
        </p>
      ) : null}
      <form method="post" action="/admin/settings" id="settings-form">
        <input type="hidden" name="csrf" value={props.csrf} />
        <section id="weights">
          <h2>Signal weights per lifecycle stage</h2>
          <p class="muted">
            How far each signal alone, at full risk, pulls the score down (0 to 1). Signals combine,
            so one strong warning is not diluted by quiet ones.
          </p>
          <TableWrap>
            <table>
              <thead>
                <tr>
                  <th scope="col">Signal</th>
                  {Stage.options.map((s) => (
                    <th scope="col">{s}</th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {SIGNALS.map((sig) => (
                  <tr>
                    <th scope="row">{signalLabel(sig.key)}</th>
                    {Stage.options.map((s) => (
                      <td>
                        <input
                          class="num"
                          type="number"
                          min="0"
                          max="1"
                          step="0.05"
                          name={`w.${s}.${sig.key}`}
                          aria-label={`${signalLabel(sig.key)} weight in ${s}`}
                          value={String(p.weights[s][sig.key])}
                        />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        </section>
        <section id="bands">
          <h2>Bands</h2>
          <Num
            label="Healthy at or above"
            name="bands.healthy"
            value={p.bands.healthy}
            min={1}
            max={99}
          />{" "}
          <Num label="At risk below" name="bands.atRisk" value={p.bands.atRisk} min={1} max={99} />
        </section>
        <section id="task-rules">
          <h2>Task rules</h2>
          <fieldset>
            <legend>Playbooks that raise tasks</legend>
            {playbooks.map((id) => (
              <label style="display:inline-block;margin-right:12px">
                <input
                  type="checkbox"
                  name={`playbook.${id}`}
                  value="on"
                  checked={p.tasks.playbooks[id] !== false}
                />{" "}
                {id}
              </label>
            ))}
          </fieldset>
          <Num
            label="A decaying account gets a task below score"
            name="tasks.decayBelow"
            value={p.tasks.decayBelow}
            min={1}
            max={99}
          />{" "}
          <Num
            label="Urgent below score"
            name="tasks.urgentBelow"
            value={p.tasks.urgentBelow}
            min={1}
            max={99}
          />
          <fieldset>
            <legend>Days until due, by priority</legend>
            {(["urgent", "high", "normal"] as const).map((k) => (
              <label style="display:inline-block;margin-right:12px">
                {k}{" "}
                <input
                  class="num"
                  type="number"
                  min="0"
                  max="90"
                  name={`due.${k}`}
                  value={String(p.tasks.dueDays[k])}
                />
              </label>
            ))}
          </fieldset>
          <label>
            <input type="checkbox" name="tasks.backfill" value="on" checked={p.tasks.backfill} />{" "}
            Write tasks for episodes already open when Ebb was installed
          </label>
        </section>
        <section id="preview">
          <h2>Preview</h2>
          {props.preview ? (
            <PreviewTable preview={props.preview} />
          ) : (
            <p class="muted">
              Preview runs the backtest on this tenant's history with the draft, beside the settings
              in force, before anything is saved.
            </p>
          )}
          <button type="submit" formaction="/admin/settings/preview" id="preview-button">
            Preview
          </button>{" "}
          <button type="submit" id="save-button">
            Save
          </button>
        </section>
      </form>
      <section id="history">
        <h2>Changes</h2>
        {props.changes.length === 0 ? (
          <p class="muted">Ebb's default settings are in force.</p>
        ) : null}
        <ol class="changes">
          {props.changes.map((c) => (
            <li class="change">
              <time datetime={new Date(c.at).toISOString()}>
                {new Date(c.at).toISOString().slice(0, 16).replace("T", " ")} UTC
              </time>{" "}
              by {c.by ?? "unknown"}
              {c.undoes ? ` (undoing change ${c.undoes})` : ""}: {c.summary.join("; ")}
              {c.undone ? (
                <span class="muted"> · undone</span>
              ) : (
                <form method="post" action="/admin/settings/undo" style="display:inline">
                  <input type="hidden" name="csrf" value={props.csrf} />
                  <input type="hidden" name="id" value={String(c.id)} />{" "}
                  <button type="submit" class="undo">
                    Undo
                  </button>
                </form>
              )}
            </li>
          ))}
        </ol>
      </section>
    </Layout>
  );
}
