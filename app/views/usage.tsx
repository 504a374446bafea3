// The product-usage section of the portfolio page: the ingestion API's write keys (a new key shown
// once), what it has stored and refused lately, and an upload of daily usage for teams without a
// pipeline.
import type { WriteKeyRow } from "../db/write-keys-repo.ts";
import type { TenantStore } from "../tenant/tenant-store.ts";
import { ago, TableWrap } from "./layout.tsx";

export type UsageStatus = ReturnType<TenantStore["usageStatus"]>;

export function UsageSection(props: {
  keys: WriteKeyRow[];
  status: UsageStatus;
  csrf: string;
  now: number;
  publicUrl: string;
  /** A key just created: shown this once. */
  newKey?: string | undefined;
  /** What an upload just did. */
  upload?: { written: number; accounts: number; errors: string[] } | undefined;
}) {
  const s = props.status;
  const live = props.keys.filter((k) => k.revoked_at === null);
  return (
    <section id="usage">
      <h2>Product usage</h2>
      <p>
        Send usage with Segment's HTTP Tracking API (<code>@segment/analytics-node</code>,
        RudderStack or a Segment webhook destination) to <code>{props.publicUrl}</code> with a write
        key below. Group calls name the account (an account id of a connected vendor, or its
        domain); identify and group calls tie people to it.
      </p>
      {props.newKey ? (
        <p class="notice" id="new-write-key">
          New write key (shown only now; copy it): <code>{props.newKey}</code>
        </p>
      ) : null}
      <p>
        {s.calls} calls kept from the last 60 days
        {s.lastDay ? `, newest about ${s.lastDay}` : ""}
        {s.waiting ? `; ${s.waiting} wait for their person's account` : ""}
        {s.groupsUnmatched.length
          ? `; groups matching no account: ${s.groupsUnmatched.join(", ")}`
          : ""}
        .
      </p>
      {live.length ? (
        <TableWrap>
          <table>
            <thead>
              <tr>
                <th>Write key</th>
                <th>Created</th>
                <th>Last used</th>
                <th>Revoke</th>
              </tr>
            </thead>
            <tbody>
              {live.map((k) => (
                <tr>
                  <td>
                    {k.label} (…{k.hint})
                  </td>
                  <td>{ago(k.created_at, props.now)}</td>
                  <td>{k.last_used_at ? ago(k.last_used_at, props.now) : "never"}</td>
                  <td>
                    <form method="post" action="/admin/usage/keys/revoke">
                      <input type="hidden" name="csrf" value={props.csrf} />
                      <input type="hidden" name="id" value={k.id} />
                      <button type="submit">Revoke {k.label}</button>
                    </form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
      <form method="post" action="/admin/usage/keys">
        <input type="hidden" name="csrf" value={props.csrf} />
        <label>
          Key name <input name="label" required maxlength={80} value="Segment" />
        </label>
        <button type="submit">Create a write key</button>
      </form>
      <form method="post" action="/admin/usage/upload" enctype="multipart/form-data">
        <input type="hidden" name="csrf" value={props.csrf} />
        <label>
          Daily usage (CSV with accountId, day, activeUsers, events[, feature]; or NDJSON){" "}
          <input type="file" name="file" accept=".csv,.ndjson,.json,text/csv" required />
        </label>
        <button type="submit">Upload usage</button>
      </form>
      {props.upload ? (
        <div id="upload-result">
          <p>
            {props.upload.written} usage days stored for {props.upload.accounts} accounts
            {props.upload.errors.length ? `; ${props.upload.errors.length} lines refused:` : "."}
          </p>
          {props.upload.errors.length ? (
            <ul>
              {props.upload.errors.slice(0, 50).map((e) => (
                <li class="error">{e}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {s.refused.length ? (
        <>
          <h3>Refused lately</h3>
          <ul>
            {s.refused.map((x) => (
              <li class="error">
                {ago(x.at, props.now)} ({x.source}): {x.message}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
