// The scoring bench's Worker: the tenant store itself (app/tenant/tenant-store.ts) behind a few
// routes the bench drives from Node — load pages through the store's own page path, start a
// scoring, run one slice — so each slice is timed from outside, one store invocation per request.
// Not part of Ebb's Worker: it serves the bench only, under `wrangler dev`.
import type { RecordBatch } from "../../connectors/connector.ts";
import type { Policy } from "../../core/policy.ts";

export { TenantStore } from "../../app/tenant/tenant-store.ts";

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const url = new URL(req.url);
    if (url.pathname === "/health") return new Response("ok");
    const tenant = url.searchParams.get("tenant");
    if (!tenant) return Response.json({ error: "tenant missing" }, { status: 400 });
    const store = env.TENANTS.get(env.TENANTS.idFromName(tenant));
    const now = Date.now();
    switch (`${req.method} ${url.pathname}`) {
      case "POST /load": {
        const body = (await req.json()) as { run: string; page: RecordBatch; last: boolean };
        if (url.searchParams.get("begin") === "1")
          await store.beginSync("bench", "hubspot", body.run, "bench", now);
        const r = await store.applyPage(
          "bench",
          "hubspot",
          body.run,
          "bench",
          body.page,
          body.last ? { cursor: { done: true } } : null,
          now,
        );
        if (body.last) await store.endSync("bench", "hubspot", body.run, "bench", {}, now);
        return Response.json(r);
      }
      case "POST /start": {
        const today = url.searchParams.get("today") ?? "";
        const slice = Number(url.searchParams.get("slice") ?? 0) || undefined;
        return Response.json(await store.startScoring(today, ["hubspot"], [], slice));
      }
      case "POST /step":
        return Response.json(await store.scoreStep());
      // One budgeted step of the settings preview's backtest (a policy in the body, or none: the
      // policy in force), as the admin's preview route drives it.
      case "POST /backtest": {
        const body = (await req.json()) as { policy: Policy | null };
        return Response.json(
          await store.backtestStep(body.policy, url.searchParams.get("today") ?? ""),
        );
      }
      case "GET /overview":
        return Response.json(await store.overview(url.searchParams.get("today") ?? ""));
      default:
        return Response.json({ error: "no such route" }, { status: 404 });
    }
  },
};
