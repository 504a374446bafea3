// The admin pages' frame: title, navigation, and a small stylesheet inline (no build step, no CDN).
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { HTMX_PATH } from "../routes/static.ts";

const CSS = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:10px 24px;display:flex;flex-wrap:wrap;gap:8px 20px;align-items:center}
header a{color:#cfe3ff;text-decoration:none}.nav{display:flex;flex-wrap:wrap;gap:4px 16px}header .muted{color:#b8c0cc}
main{padding:16px 24px;max-width:1100px;box-sizing:border-box}
input,select,button{max-width:100%;box-sizing:border-box}
.chart{max-width:100%;height:auto}
.chart .marker-task{fill:#b91c1c}.chart .marker-band{stroke:#6b7280;stroke-dasharray:2 2}
.chart .point{fill:transparent}.chart .point:hover{fill:rgba(29,78,216,.12)}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:12px}
.num{width:5em}fieldset{border:1px solid #e1e4ea;margin:0 0 12px}
.preview-card{border:1px solid #cbd5e1;border-radius:6px;padding:10px 12px;background:#fff}
.changed{background:#fef9c3}
@media (max-width:600px){main{padding:12px 10px}section{padding:10px}header{padding:8px 10px}}
section{background:#fff;border:1px solid #e1e4ea;border-radius:6px;padding:12px 16px;margin:0 0 16px}
section.table-wrap{overflow-x:auto;border:0;border-radius:0;padding:0;margin:0;background:none}
.filters{display:flex;flex-wrap:wrap;gap:8px 16px;align-items:end;margin:0 0 12px}
th a{color:inherit}
h1{font-size:20px;margin:4px 0 12px}h2{font-size:16px;margin:0 0 8px}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f3;vertical-align:top}
.muted{color:#5b6472}td{overflow-wrap:break-word}.band{padding:1px 6px;border-radius:4px;font-size:12px}
.band-healthy{background:#dcfce7}.band-watch{background:#fef9c3}.band-at_risk{background:#fee2e2}.band-insufficient_data{background:#e5e7eb}
.bar{display:inline-block;height:10px;background:#3b82f6;border-radius:2px;vertical-align:middle}
.chart .series{stroke:#1d4ed8;stroke-width:2}.chart .axis{font-size:10px;fill:#6b7280}
.chart .zone-healthy{fill:#f0fdf4}.chart .zone-risk{fill:#fef2f2}
.error{color:#b91c1c}button{font:inherit;padding:4px 12px;cursor:pointer}
`;

export function Layout(props: { title: string; tenant: string; children: Child }) {
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <title>{`${props.title} · Ebb`}</title>
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <style>{CSS}</style>
          <script src={HTMX_PATH} defer />
        </head>
        <body>
          <header>
            <strong>Ebb</strong>
            <nav aria-label="Admin" class="nav">
              <a href="/admin">Portfolio</a>
              <a href="/admin/accounts">Accounts</a>
              <a href="/admin/usage">Product usage</a>
              <a href="/admin/settings">Settings</a>
              <a href="/admin/trust">Trust</a>
              <a href="/admin/writeback">Writeback log</a>
            </nav>
            <span class="muted">{props.tenant}</span>
          </header>
          <main>{props.children}</main>
        </body>
      </html>
    </>
  );
}

/**
 * A table that scrolls sideways inside its own box on a narrow screen (the page never does): a
 * named region a keyboard can reach and scroll.
 */
export function TableWrap(props: { children: Child }) {
  return (
    <section
      class="table-wrap"
      aria-label="Table (scrolls sideways on a narrow screen)"
      tabindex={0}
    >
      {props.children}
    </section>
  );
}

export function BandBadge(props: { band: string }) {
  return <span class={`band band-${props.band}`}>{props.band.replace("_", " ")}</span>;
}

export const ago = (ms: number | null | undefined, now: number): string => {
  if (!ms) return "never";
  const s = Math.round((now - ms) / 1000);
  if (s < 90) return `${s} s ago`;
  if (s < 5400) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
};
