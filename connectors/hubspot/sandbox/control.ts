// Test control, for tests that cannot reach the sandbox's memory (the Worker's tests run inside
// workerd): faults, the call log, and the objects written. Not part of HubSpot's API.
import type { ServerResponse } from "node:http";
import type { Fault } from "./faults.ts";
import type { Reply } from "./http.ts";
import { OBJECT_TYPES, type ObjectType, type PortalState } from "./state.ts";

export function control(
  res: ServerResponse,
  path: string,
  method: string,
  raw: string,
  s: { state: PortalState; faults: Fault[]; limitHits: number; callCount(): number },
  reply: Reply,
) {
  if (path === "/__sandbox/faults" && method === "POST") {
    const f = JSON.parse(raw || "{}") as Partial<Fault> & { afterCalls?: number };
    if (!f.kind) return reply.error(res, 400, "fault needs a kind");
    s.faults.push({ ...f, kind: f.kind, atCall: s.callCount() + 1 + (f.afterCalls ?? 0) });
    return reply.send(res, 200, { faults: s.faults.length });
  }
  if (path === "/__sandbox/faults" && method === "DELETE") {
    s.faults.length = 0;
    return reply.send(res, 200, { faults: 0 });
  }
  if (path === "/__sandbox/scopes" && (method === "POST" || method === "DELETE")) {
    const { withhold = [] } = JSON.parse(raw || "{}") as { withhold?: string[] };
    if (method === "DELETE") s.state.withheldScopes.clear();
    for (const scope of withhold) s.state.withheldScopes.add(scope);
    return reply.send(res, 200, { withheld: [...s.state.withheldScopes] });
  }
  if (path === "/__sandbox/calls" && method === "GET")
    return reply.send(res, 200, {
      calls: s.state.calls,
      limitHits: s.limitHits,
      count: s.callCount(),
    });
  const objects = /^\/__sandbox\/objects\/([a-z]+)$/.exec(path);
  if (objects && method === "GET") {
    const type = objects[1] as ObjectType;
    if (!OBJECT_TYPES.includes(type)) return reply.error(res, 404, `no object type ${type}`);
    // Each object with the ids it is associated with, by type.
    const results = [...s.state.objects[type].values()].map((o) => ({
      ...o,
      associations: Object.fromEntries(
        OBJECT_TYPES.map((t): [string, string[]] => [t, s.state.associated(type, o.id, t)]).filter(
          ([, ids]) => ids.length > 0,
        ),
      ),
    }));
    return reply.send(res, 200, { results });
  }
  return reply.error(res, 404, `no sandbox control route ${method} ${path}`);
}
