// Every account, as a CSM works through a portfolio: search and filters (a GET form, so a view is
// a link to share), sortable column headers, pages, and the current view as CSV.
import type { AccountFilter, AccountList, Sort } from "../tenant/accounts-query.ts";
import { BandBadge, Layout, TableWrap } from "./layout.tsx";

const COLUMNS: { sort: Sort; label: string }[] = [
  { sort: "name", label: "Account" },
  { sort: "owner", label: "Owner" },
  { sort: "score", label: "Score" },
  { sort: "band", label: "Band" },
  { sort: "trend", label: "Trend" },
  { sort: "stage", label: "Stage" },
  { sort: "arr", label: "ARR" },
  { sort: "renewal", label: "Renewal" },
];

/** The filter as query parameters (empty ones left out), with some changed. */
export function queryOf(f: AccountFilter, change: Partial<AccountFilter> = {}): string {
  const all = { ...f, ...change };
  const p = new URLSearchParams();
  const put = (k: string, v: string | number | boolean | undefined) => {
    if (v !== undefined && v !== "" && v !== false) p.set(k, String(v));
  };
  put("q", all.q);
  put("owner", all.owner);
  put("band", all.band);
  put("trend", all.trend);
  put("stage", all.stage);
  put("renewal", all.renewalWithin);
  put("arrMin", all.arrMin);
  put("arrMax", all.arrMax);
  put("vendor", all.vendor);
  put("sort", all.sort);
  if (all.desc) p.set("dir", "desc");
  if (all.page && all.page > 1) p.set("page", String(all.page));
  const s = p.toString();
  return s ? `?${s}` : "";
}

const money = (n: number | null) =>
  n === null ? "–" : `$${Math.round(n).toLocaleString("en-US")}`;

function Choice(props: {
  name: string;
  label: string;
  value: string | undefined;
  options: string[];
}) {
  return (
    <label>
      {props.label}{" "}
      <select name={props.name}>
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o} selected={o === props.value}>
            {o.replace("_", " ")}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AccountsPage(props: { tenant: string; list: AccountList; filter: AccountFilter }) {
  const { list, filter: f } = props;
  const sort = f.sort ?? "score";
  return (
    <Layout title="Accounts" tenant={props.tenant}>
      <section id="accounts">
        <h1>Accounts ({list.total})</h1>
        <form method="get" action="/admin/accounts" class="filters">
          <label>
            Search <input type="search" name="q" value={f.q ?? ""} />
          </label>
          <Choice name="owner" label="Owner" value={f.owner} options={list.owners} />
          <Choice
            name="band"
            label="Band"
            value={f.band}
            options={["at_risk", "watch", "healthy", "insufficient_data"]}
          />
          <Choice
            name="trend"
            label="Trend"
            value={f.trend}
            options={["decaying", "recovering", "plateau", "growing"]}
          />
          <Choice
            name="stage"
            label="Stage"
            value={f.stage}
            options={["onboarding", "adoption", "mature", "renewal"]}
          />
          <label>
            Renewal within (days){" "}
            <input type="number" name="renewal" min="0" value={f.renewalWithin ?? ""} />
          </label>
          <label>
            ARR from <input type="number" name="arrMin" min="0" value={f.arrMin ?? ""} />
          </label>
          <label>
            ARR to <input type="number" name="arrMax" min="0" value={f.arrMax ?? ""} />
          </label>
          <Choice name="vendor" label="Vendor" value={f.vendor} options={list.vendors} />
          <input type="hidden" name="sort" value={sort} />
          {f.desc ? <input type="hidden" name="dir" value="desc" /> : null}
          <button type="submit">Filter</button>{" "}
          <a href={`/admin/accounts.csv${queryOf({ ...f, page: undefined })}`}>Download CSV</a>
        </form>
        <TableWrap>
          <table>
            <thead>
              <tr>
                {COLUMNS.map((c) => {
                  const active = c.sort === sort;
                  const next = { sort: c.sort, desc: active ? !f.desc : false, page: 1 };
                  return (
                    <th
                      scope="col"
                      aria-sort={active ? (f.desc ? "descending" : "ascending") : undefined}
                    >
                      <a href={`/admin/accounts${queryOf(f, next)}`}>
                        {c.label}
                        {active ? (f.desc ? " ↓" : " ↑") : ""}
                      </a>
                    </th>
                  );
                })}
                <th scope="col">Vendors</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((r) => (
                <tr>
                  <td>
                    <a href={`/admin/accounts/${encodeURIComponent(r.id)}`}>{r.name}</a>
                  </td>
                  <td>{r.owner ?? "unassigned"}</td>
                  <td>{r.score ?? "–"}</td>
                  <td>{r.band ? <BandBadge band={r.band} /> : "not scored"}</td>
                  <td>{r.trend ?? "–"}</td>
                  <td>{r.stage}</td>
                  <td>{money(r.arr)}</td>
                  <td>{r.renewalAt ?? "–"}</td>
                  <td>{r.vendors.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
        {list.pages > 1 ? (
          <nav aria-label="Pages">
            {list.page > 1 ? (
              <a href={`/admin/accounts${queryOf(f, { page: list.page - 1 })}`} rel="prev">
                Previous
              </a>
            ) : null}{" "}
            Page {list.page} of {list.pages}{" "}
            {list.page < list.pages ? (
              <a href={`/admin/accounts${queryOf(f, { page: list.page + 1 })}`} rel="next">
                Next
              </a>
            ) : null}
          </nav>
        ) : null}
      </section>
    </Layout>
  );
}

/** The current view (all pages) as CSV, a header line first. */
export function accountsCsv(list: AccountList): string {
  const cell = (v: string | number | null) => {
    const s = v === null ? "" : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  const lines = [
    "id,name,owner,score,band,trend,stage,arr,renewalAt,scoredOn,vendors",
    ...list.rows.map((r) =>
      [
        r.id,
        r.name,
        r.owner,
        r.score,
        r.band,
        r.trend,
        r.stage,
        r.arr,
        r.renewalAt,
        r.scoredOn,
        r.vendors.join(" "),
      ]
        .map(cell)
        .join(","),
    ),
  ];
  return `${lines.join("\n")}\n`;
}
