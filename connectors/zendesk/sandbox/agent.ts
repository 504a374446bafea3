// The sandbox's agent view: a ticket (or an organization) as an agent sees it, with the Ebb app in
// its sidebar the way Zendesk loads a signed-URL app — a POST of a signed JWT into the app's frame —
// and a stand-in for the ZAF SDK that answers the app's context, get and invoke calls from this
// page over postMessage, as Zendesk's own SDK does from the Zendesk frame.
import { escapeHtml as esc } from "../sidebar-page.ts";
import type { AccountState } from "./state.ts";

/** The SDK stand-in the app's page loads (`ZAFClient.init()` → context, get, invoke). */
export const ZAF_SDK_STUB = `
window.ZAFClient = {
  init: function () {
    var n = 0, pending = {};
    window.addEventListener("message", function (e) {
      var m = e.data;
      if (m && m.zafReply && pending[m.id]) { pending[m.id](m.result); delete pending[m.id]; }
    });
    function ask(kind, args) {
      return new Promise(function (resolve) {
        var id = ++n; pending[id] = resolve;
        window.parent.postMessage({ zaf: true, id: id, kind: kind, args: args || [] }, "*");
      });
    }
    return {
      context: function () { return ask("context"); },
      get: function (path) { return ask("get", [path]); },
      invoke: function () { return ask("invoke", Array.prototype.slice.call(arguments)); }
    };
  }
};`;

export function agentPage(p: {
  kind: "tickets" | "organizations";
  id: number;
  state: AccountState;
  app: string;
  token: string;
}): string | undefined {
  const ticket = p.kind === "tickets" ? p.state.tickets.get(p.id)?.data : undefined;
  const orgId = p.kind === "organizations" ? p.id : (ticket?.organization_id ?? null);
  const org = orgId === null ? undefined : p.state.organizations.get(orgId)?.data;
  if (p.kind === "tickets" ? !ticket : !org) return undefined;
  const context = {
    location: p.kind === "tickets" ? "ticket_sidebar" : "organization_sidebar",
    values: {
      "ticket.organization": org ? { id: org.id, name: org.name } : null,
      "organization.id": org?.id ?? null,
    },
  };
  const title = ticket ? `#${ticket.id} ${ticket.subject ?? ""}` : (org?.name ?? "");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)} – Zendesk sandbox</title>
<style>body{font:14px system-ui,sans-serif;margin:0;display:flex;min-height:100vh}
main{flex:1;padding:16px 24px}aside{width:340px;border-left:1px solid #d8dcde;background:#f8f9f9}
iframe{border:0;width:100%;height:360px;background:#fff}</style></head>
<body>
<main><h1>${esc(title)}</h1>
<p>Organization: <strong>${esc(org?.name ?? "none")}</strong></p>
${ticket ? `<p>${esc(ticket.description ?? "")}</p>` : ""}
</main>
<aside><iframe name="ebb-app" id="ebb-app" title="Ebb customer health"></iframe></aside>
<form id="load" method="post" action="${esc(p.app)}" target="ebb-app"><input type="hidden" name="token" value="${esc(p.token)}"></form>
<script>
var context = ${JSON.stringify(context).replace(/</g, "\\u003c")};
window.addEventListener("message", function (e) {
  var m = e.data; if (!m || !m.zaf) return;
  var result = null;
  if (m.kind === "context") result = { location: context.location, product: "support" };
  if (m.kind === "get") { result = {}; result[m.args[0]] = context.values[m.args[0]]; }
  if (m.kind === "invoke" && m.args[0] === "resize") document.getElementById("ebb-app").style.height = m.args[1].height;
  e.source.postMessage({ zafReply: true, id: m.id, result: result }, "*");
});
document.getElementById("load").submit();
</script>
</body></html>`;
}
