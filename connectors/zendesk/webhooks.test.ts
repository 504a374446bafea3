// Zendesk webhooks as Ebb sets them up: at the first sync, two webhooks (organization and user
// events; ticket changes, through a trigger whose body Ebb writes) with their signing secrets handed
// to the Worker; deliveries signed with those secrets verify, and parse into change marks.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { generatePortfolio } from "../../core/generate/generate.ts";
import { zendeskContext } from "../../tests/support/zendesk.ts";
import { zendesk } from "./index.ts";
import { ensureZendeskSetup, WEBHOOK_NAMES } from "./push.ts";
import { seedAccount } from "./sandbox/seed.ts";
import { startZendeskSandbox, type ZendeskSandbox } from "./sandbox/server.ts";
import { parseZendeskWebhook } from "./webhooks.ts";

let sandbox: ZendeskSandbox | undefined;
let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await sandbox?.close();
  await close?.();
  sandbox = undefined;
  close = undefined;
});

/** A local receiver standing in for Ebb's /zendesk/webhooks: it keeps what it was sent. */
async function receiver() {
  const got: { url: string; headers: Headers; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      got.push({
        url: `http://127.0.0.1${req.url}`,
        headers: new Headers(req.headers as Record<string, string>),
        body,
      });
      res.writeHead(200).end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  close = () => new Promise((r) => server.close(() => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got };
}

describe("Zendesk webhooks", () => {
  it("are created once at setup, with their secrets, and Zendesk's deliveries verify and parse", async () => {
    const seeded = seedAccount(generatePortfolio({ accounts: 3, seed: 8, days: 30 }).portfolio);
    sandbox = await startZendeskSandbox({ state: seeded.state });
    // An account with many triggers of its own: Ebb's is found by search, not in a first page.
    for (let k = 0; k < 150; k++)
      seeded.state.triggers.push({
        id: 50_000 + k,
        title: `Team rule ${k}`,
        active: true,
        conditions: {},
        actions: [],
      });
    const ebb = await receiver();
    const ctx = { ...zendeskContext(sandbox), publicUrl: ebb.url, installId: "acme" };
    const first = await ensureZendeskSetup(ctx);
    expect(first.created).toEqual(
      expect.arrayContaining([
        `webhook ${WEBHOOK_NAMES.events}`,
        `webhook ${WEBHOOK_NAMES.tickets}`,
        `trigger ${WEBHOOK_NAMES.trigger}`,
      ]),
    );
    const hooks = sandbox.state.webhooks;
    expect(hooks.map((h) => h.endpoint)).toEqual([
      `${ebb.url}/zendesk/webhooks?install=acme`,
      `${ebb.url}/zendesk/webhooks?install=acme`,
    ]);
    expect(first.webhookSecrets).toEqual(Object.fromEntries(hooks.map((h) => [h.id, h.secret])));
    // Run again (a crash before setup was marked done): nothing new, the same secrets.
    const again = await ensureZendeskSetup(ctx);
    expect(again.created).toEqual([]);
    expect(again.webhookSecrets).toEqual(first.webhookSecrets);
    expect(sandbox.state.webhooks).toHaveLength(2);
    expect(sandbox.state.triggers.filter((t) => t.title === WEBHOOK_NAMES.trigger)).toHaveLength(1);

    const ticket = [...seeded.state.tickets.keys()][0] as number;
    const org = [...seeded.state.organizations.keys()][0] as number;
    expect(await sandbox.deliver({ ticket })).toEqual([200]);
    expect(await sandbox.deliver({ event: "organization.deleted", id: org })).toEqual([200]);
    const app = {
      config: zendesk.config.parse({ ZENDESK_CLIENT_ID: "x", ZENDESK_CLIENT_SECRET: "y" }),
      redirectUri: "",
    };
    for (const d of ebb.got) {
      const request = { method: "POST", url: d.url, headers: d.headers, body: d.body };
      const name = zendesk.webhooks?.perConnection?.secretName(request) ?? "";
      expect(zendesk.webhooks?.perConnection?.install(request)).toBe("acme");
      expect(await zendesk.verify(app, request, Date.now(), first.webhookSecrets?.[name])).toEqual({
        ok: true,
      });
      // Another webhook's secret, or none, does not open it.
      const other = Object.entries(first.webhookSecrets ?? {}).find(([k]) => k !== name)?.[1];
      expect((await zendesk.verify(app, request, Date.now(), other)).ok).toBe(false);
      expect((await zendesk.verify(app, request, Date.now(), undefined)).ok).toBe(false);
    }
    const [changed, deleted] = ebb.got.map((d) =>
      zendesk.webhooks?.parse(JSON.parse(d.body), "acme"),
    );
    expect(changed).toMatchObject({
      ok: true,
      installs: [
        {
          externalId: "acme",
          marks: [
            {
              vendor: "zendesk",
              objectType: "ticket",
              objectId: String(ticket),
              change: "changed",
            },
          ],
        },
      ],
    });
    expect(deleted).toMatchObject({
      ok: true,
      installs: [
        {
          marks: [
            {
              objectType: "organization",
              change: "deleted",
              deleted: [{ kind: "accounts", id: `zd-org-${org}` }],
            },
          ],
        },
      ],
    });
  });

  it("refuses what is not one of Zendesk's events, naming the field", () => {
    expect(parseZendeskWebhook({ type: "ticket.created" })).toMatchObject({
      ok: false,
      message: expect.stringContaining("type"),
    });
    expect(
      parseZendeskWebhook({
        type: "zen:event-type:organization.created",
        id: "e",
        time: "t",
        subject: "org 5",
      }),
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining("subject"),
    });
    expect(zendesk.webhooks?.parse({}, undefined)).toMatchObject({
      ok: false,
      message: expect.stringContaining("install"),
    });
  });
});
