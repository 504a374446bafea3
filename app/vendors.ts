// The vendors this Worker serves, built from a connector registry: each connector with its app
// (configuration read from Env under the names its schema declares, and the OAuth callback this
// Worker serves for it) and its default settings. Routes, jobs and Durable Objects look vendors up
// here by id; nothing in app/ names a vendor.
import type { AnyConnector, VendorApp } from "../connectors/connector.ts";
import type { Registry } from "../connectors/registry.ts";
import { oauthCallbackPath } from "../connectors/routes.ts";
import { HttpProblem } from "./routes/problem.ts";

export interface Vendor {
  id: string;
  connector: AnyConnector;
  /** The vendor's app for this Worker; throws `not_configured` when Env lacks its configuration. */
  app(): VendorApp<unknown>;
  /** The connector's settings (defaults until an admin changes them). */
  settings: unknown;
}

export interface Vendors {
  /** The vendor with this id, or undefined. */
  find(id: string): Vendor | undefined;
  /** The vendor with this id; throws when there is none (a stored id always names one). */
  of(id: string): Vendor;
  all(): Vendor[];
}

export function vendorsOf(registry: Registry, env: Env): Vendors {
  const built = new Map<string, Vendor>();
  for (const [id, connector] of Object.entries(registry)) {
    let app: VendorApp<unknown> | undefined;
    built.set(id, {
      id,
      connector,
      app() {
        if (app) return app;
        const config = connector.config.safeParse(env);
        if (!config.success)
          throw new HttpProblem(
            503,
            "not_configured",
            `${connector.label} is not configured on this Worker: ${config.error.issues.map((i) => i.message).join("; ")}`,
          );
        app = {
          config: config.data,
          redirectUri: new URL(oauthCallbackPath(id), env.PUBLIC_URL).toString(),
        };
        return app;
      },
      settings: connector.settings.parse({}),
    });
  }
  return {
    find: (id) => built.get(id),
    of(id) {
      const v = built.get(id);
      if (!v) throw new Error(`unknown vendor ${id}`);
      return v;
    },
    all: () => [...built.values()],
  };
}

/** The vendors that hold tasks among a tenant's connected ones, in the order they were connected. */
export function taskVendorsOf(
  vendors: Vendors,
  connected: readonly { vendor: string }[],
): string[] {
  return [...new Set(connected.map((c) => c.vendor))].filter(
    (v) => vendors.find(v)?.connector.writesTasks,
  );
}

/**
 * Where a tenant's tickets may come from, first choice first: its help desks (tickets live there
 * first-hand), then its other vendors in the order they were connected. Only one source counts,
 * so a ticket two vendors hold (a CRM's copy, a CRM synced with another) counts once.
 */
export function ticketSourcesOf(
  vendors: Vendors,
  connected: readonly { vendor: string }[],
): string[] {
  const all = [...new Set(connected.map((c) => c.vendor))].filter((v) => vendors.find(v));
  const desks = helpDesksOf(vendors, connected);
  return [...desks, ...all.filter((v) => !desks.includes(v))];
}

/** The help desks (a connector with `helpDesk`) among a tenant's connected vendors. */
export function helpDesksOf(vendors: Vendors, connected: readonly { vendor: string }[]): string[] {
  return [...new Set(connected.map((c) => c.vendor))].filter(
    (v) => vendors.find(v)?.connector.helpDesk,
  );
}
