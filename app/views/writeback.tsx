// The writeback log: what Ebb wrote into each vendor and when (fields and tasks, each linked to the
// record there), failures with the vendor's own reason, and a retry of what is waiting.
import type { WritebackEntry } from "../tenant/writeback-repo.ts";
import { Layout, TableWrap } from "./layout.tsx";

const KIND: Record<string, string> = {
  fields: "Fields",
  task_open: "Task created",
  task_close: "Task completed",
  failure: "Failed",
};

export function WritebackPage(props: {
  tenant: string;
  csrf: string;
  entries: WritebackEntry[];
  waiting: { vendor: string; accounts: number }[];
  failuresOnly: boolean;
  /** Where a vendor's record opens, if the vendor says. */
  urlOf: (vendor: string, externalId: string) => string | undefined;
  retried?: boolean;
}) {
  return (
    <Layout title="Writeback log" tenant={props.tenant}>
      <h1>Writeback log</h1>
      <section id="waiting">
        {props.retried ? (
          <p role="status" id="retried">
            Writeback queued for every connection: what failed is tried again now.
          </p>
        ) : null}
        <p>
          {props.waiting.length === 0
            ? "Nothing is waiting to be written."
            : `Waiting to be written: ${props.waiting.map((w) => `${w.accounts} accounts to ${w.vendor}`).join(", ")}.`}
        </p>
        <form method="post" action="/admin/writeback/retry">
          <input type="hidden" name="csrf" value={props.csrf} />
          <button type="submit">Retry writeback now</button>
        </form>
        <p>
          {props.failuresOnly ? (
            <a href="/admin/writeback">Show every write</a>
          ) : (
            <a href="/admin/writeback?failures=1">Show failures only</a>
          )}
        </p>
      </section>
      <section id="log">
        {props.entries.length === 0 ? <p class="muted">Nothing written yet.</p> : null}
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th scope="col">When (UTC)</th>
                <th scope="col">Vendor</th>
                <th scope="col">Account</th>
                <th scope="col">What</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {props.entries.map((e) => {
                const url = props.urlOf(e.vendor, e.externalId);
                return (
                  <tr class={`log-row log-${e.kind}`}>
                    <td>{new Date(e.at).toISOString().slice(0, 19).replace("T", " ")}</td>
                    <td>{e.vendor}</td>
                    <td>
                      <a href={`/admin/accounts/${encodeURIComponent(e.accountId)}`}>
                        {e.accountName ?? e.accountId}
                      </a>
                      {url ? (
                        <>
                          {" · "}
                          <a href={url} rel="noreferrer" target="_blank">
                            open in {e.vendor}
                          </a>
                        </>
                      ) : null}
                    </td>
                    <td>{KIND[e.kind] ?? e.kind}</td>
                    <td>
                      {e.detail}
                      {e.error ? <div class="error">{e.error}</div> : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableWrap>
      </section>
    </Layout>
  );
}
