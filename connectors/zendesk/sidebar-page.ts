// The Zendesk agent sidebar page (ticket_sidebar and organization_sidebar), as the Worker serves it
// after verifying Zendesk's signed load: the ZAF SDK tells it which organization the ticket's
// requester belongs to (or which organization is open), and it asks Ebb — with Ebb's own session,
// never a token the ZAF proxy adds — for that organization's health, then writes what an agent
// reads: band, score and trend, the reasons, what to do differently on this ticket, open tasks.
// Data is written with textContent only.

/** Text made safe inside HTML (element content and quoted attributes). */
export const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );

/**
 * The page's script, run in the agent's browser. A string, not a function's source: the Worker's
 * bundler rewrites functions (name helpers), which would not exist in the browser.
 */
const SIDEBAR_SCRIPT = `
(function (config) {
  var root = document.getElementById("ebb");
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  function say(text, cls) { root.replaceChildren(el("p", text, cls || "quiet")); }
  function list(title, cls, items) {
    var ul = el("ul", undefined, cls);
    items.forEach(function (x) { ul.append(x); });
    return [el("h2", title), ul];
  }
  function render(a) {
    if (a.status === "not_scored") return say(a.message);
    var parts = [el("p", a.headline, "headline band-" + a.band)];
    if (a.reasons.length) parts = parts.concat(list("Why", "reasons", a.reasons.map(function (r) {
      var li = el("li"); li.append(el("strong", r.label + ": "), document.createTextNode(r.evidence)); return li;
    })));
    if (a.advice.length) parts = parts.concat(list("On this ticket", "advice", a.advice.map(function (x) { return el("li", x); })));
    if (a.openTasks.length) parts = parts.concat(list("Open Ebb tasks", "tasks", a.openTasks.map(function (t) {
      return el("li", t.title + " (due " + t.dueAt + (a.owner ? ", " + a.owner : "") + ")");
    })));
    parts.push(el("p", a.name + " \\u00b7 scored " + a.scoredAt, "muted"));
    root.replaceChildren.apply(root, parts);
  }
  if (!window.ZAFClient) return say("Open this page from Zendesk: the Zendesk app framework is not loaded.", "error");
  var client = window.ZAFClient.init();
  client.context().then(function (context) {
    return context.location === "organization_sidebar"
      ? client.get("organization.id").then(function (d) { return d["organization.id"]; })
      : client.get("ticket.organization").then(function (d) { var o = d["ticket.organization"]; return o ? o.id : null; });
  }).then(function (org) {
    if (org === undefined || org === null) return say("This requester belongs to no organization, so Ebb has no customer to show.");
    var url = config.dataUrl + "?organizationId=" + encodeURIComponent(String(org)) + "&subdomain=" + encodeURIComponent(config.subdomain);
    return fetch(url, { headers: { authorization: "Bearer " + config.session } }).then(function (res) {
      if (res.status === 401) return say("Ebb's session for this page has ended: reload the app.", "error");
      if (!res.ok) return say("Ebb could not answer (" + res.status + ").", "error");
      return res.json().then(function (a) {
        render(a);
        return client.invoke("resize", { width: "100%", height: Math.min(600, root.scrollHeight + 24) + "px" });
      });
    });
  }).catch(function (e) { say("Ebb could not load: " + (e && e.message), "error"); });
})`;

export function sidebarPage(p: {
  session: string;
  dataPath: string;
  subdomain: string;
  nonce: string;
  sdkUrl: string;
}): string {
  const config = JSON.stringify({
    session: p.session,
    dataUrl: p.dataPath,
    subdomain: p.subdomain,
  }).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ebb customer health</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; padding: 8px 10px; color: #1f2933; }
  h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; margin: 12px 0 4px; color: #52606d; }
  ul { margin: 0; padding-left: 18px; }
  li { margin: 2px 0; }
  .headline { font-weight: 600; margin: 0; }
  .band-at_risk { color: #b42318; }
  .band-watch { color: #8a5a00; }
  .band-healthy, .quiet { color: #2f6f3e; }
  .muted { color: #7b8794; font-size: 12px; margin-top: 12px; }
  .error { color: #b42318; }
</style>
</head>
<body>
<main id="ebb" aria-live="polite"><p class="quiet">Loading customer health…</p></main>
<script src="${escapeHtml(p.sdkUrl)}"></script>
<script nonce="${escapeHtml(p.nonce)}">${SIDEBAR_SCRIPT}(${config});</script>
</body>
</html>`;
}
