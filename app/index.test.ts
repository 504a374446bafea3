// The Worker's routes, tested without a server through app.request.
import { describe, expect, it } from "vitest";
import { app } from "./index.ts";

describe("the Worker", () => {
  it("answers the health route", async () => {
    const res = await app.request("/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, service: "ebb", signals: 7 });
  });

  it("names the route it does not know", async () => {
    const res = await app.request("/nope", { method: "POST" });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "not_found", message: "no route for POST /nope" });
  });
});
