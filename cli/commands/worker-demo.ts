// `ebb demo` (what `npm start` runs): the product on this machine, offline — sandbox, Worker under
// wrangler dev, install, first sync → score → writeback — then the admin URL, until Ctrl-C.

import { SingleBar } from "cli-progress";
import { checkWrittenTasks } from "../../connectors/hubspot/sandbox/written.ts";
import {
  HEALTH_FIELDS as SF_FIELDS,
  TASK_KEY_FIELD as SF_TASK_KEY,
} from "../../connectors/salesforce/map.ts";
import { signalLabel } from "../../core/reasons.ts";
import { type DemoStatus, startLocalDemo } from "../local-demo.ts";

export async function runWorkerDemo(
  flags: { accounts: number; seed: number; port: number; state: string },
  io: { log(l: string): void; warn(l: string): void; tty: boolean },
): Promise<void> {
  const bar = io.tty
    ? new SingleBar({
        format: " sync {bar} {pages} pages, {records} records · {phase}",
        hideCursor: true,
      })
    : undefined;
  let shown = false;
  let lastLine = "";
  const progress = (s: DemoStatus) => {
    const sync = s.syncs[0];
    const phase = !sync
      ? "queued"
      : sync.status === "running"
        ? "pulling"
        : s.scoring?.phase === "scoring" || s.lastScore === null
          ? `scoring (${s.scoring?.done ?? 0} of ${s.scoring?.planned ?? "?"} accounts)`
          : s.pendingWriteback > 0
            ? "writing back"
            : "done";
    const payload = { pages: sync?.run_pages ?? 0, records: sync?.run_records ?? 0, phase };
    if (bar) {
      if (!shown) bar.start(1, 0, payload);
      shown = true;
      bar.update(phase === "done" ? 1 : 0, payload);
    } else {
      const line = `  ${phase}: ${payload.pages} pages, ${payload.records} records`;
      if (line !== lastLine) io.log(line);
      lastLine = line;
    }
  };
  const demo = await startLocalDemo({
    accounts: flags.accounts,
    seed: flags.seed,
    port: flags.port,
    stateName: flags.state,
    log: io.log,
    onProgress: progress,
  });
  bar?.stop();
  const s = demo.status;
  const companies = [...demo.sandbox.state.objects.companies.values()];
  const written = companies.filter((c) => c.properties.ebb_health_score != null).length;
  const state = demo.sandbox.state;
  const withLinks = (type: "companies" | "tasks") =>
    [...state.objects[type].values()].map((o) => ({
      ...o,
      associations: { companies: state.associated(type, o.id, "companies") },
    }));
  const tasks = checkWrittenTasks(withLinks("companies"), withLinks("tasks"));
  const b = (k: string) => s.bands[k] ?? 0;
  const records = (vendor: string) => s.syncs.find((y) => y.vendor === vendor)?.records ?? 0;
  const orgs = [...demo.zendesk.state.organizations.values()].map((o) => o.data);
  const sfAccounts = [...demo.salesforce.state.table("Account").values()];
  const sfTasks = [...demo.salesforce.state.table("Task").values()].filter(
    (t) => !t.IsDeleted && t[SF_TASK_KEY],
  );
  io.log("");
  io.log(
    `Synced ${records("hubspot")} HubSpot records (${demo.sandbox.callCount()} API calls), ${records("zendesk")} Zendesk records (${demo.zendesk.callCount()} API calls) and ${records("salesforce")} Salesforce records (${demo.salesforce.callCount()} API calls, ${demo.salesforce.allocation.used()} of the org's ${demo.salesforce.allocation.max.toLocaleString("en")} a day) in ${(demo.timings.syncMs / 1000).toFixed(1)} s; scored ${s.lastScore?.accounts ?? 0} accounts in ${s.lastScore?.ms ?? 0} ms.`,
  );
  io.log(
    `Portfolio: ${s.accounts} accounts — ${b("healthy")} healthy, ${b("watch")} watch, ${b("at_risk")} at risk, ${b("insufficient_data")} insufficient data${s.ended ? `; ${s.ended} churned earlier` : ""}.`,
  );
  io.log(
    `Written back to the HubSpot sandbox: health fields on ${written} companies, ${tasks.tasks} follow-up tasks.`,
  );
  io.log(
    `Written back to the Zendesk sandbox: health fields on ${orgs.filter((o) => o.organization_fields.ebb_health_band).length} organizations, ${orgs.filter((o) => o.tags.includes("ebb_at_risk")).length} tagged ebb_at_risk.`,
  );
  io.log(
    `Written back to the Salesforce sandbox: health fields and the 90-day trend on ${sfAccounts.filter((a) => a[SF_FIELDS.band] != null).length} accounts; ${sfTasks.length ? `${sfTasks.length} follow-up tasks` : "follow-up tasks go to HubSpot, the tenant's one task home (the admin can send them to Salesforce instead)"}.`,
  );
  // What a CSM opening those tasks would check first.
  io.log(
    tasks.overdue.length + tasks.calm.length === 0
      ? `Every task is due on or after the day it was written, and each is for a company at risk or decaying that day.`
      : `Tasks that read wrong: ${[...tasks.overdue.map((t) => `overdue when written: ${t}`), ...tasks.calm.map((t) => `for a calm company: ${t}`)].join("; ")}.`,
  );
  io.log("");
  io.log(`At risk or decaying (${s.atRisk.length}), worst first:`);
  for (const r of s.atRisk.slice(0, 5)) {
    const top = [...r.snapshot.signals].sort((x, y) => y.risk * y.weight - x.risk * x.weight)[0];
    io.log(
      `  ${r.name}: ${r.snapshot.score} (${r.snapshot.band.replace("_", " ")}, ${r.snapshot.trend})${top ? ` — ${signalLabel(top.key as never)}: ${top.evidence}` : ""}`,
    );
  }
  io.log("");
  io.log(
    `Admin (single-use sign-in link, ready ${(demo.timings.totalMs / 1000).toFixed(0)} s after start):`,
  );
  io.log(`  ${demo.adminUrl}`);
  if (demo.sidebar.atRisk) {
    io.log("");
    io.log("A support agent's view of a ticket from an at-risk customer, with Ebb in the sidebar:");
    io.log(`  ${demo.sidebar.atRisk}`);
  }
  io.log("");
  io.log("Running until Ctrl-C.");
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once("SIGINT", done);
    process.once("SIGTERM", done);
  });
  await demo.stop();
}
