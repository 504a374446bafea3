// The admin's one script: htmx, served from the Worker itself (the admin's CSP allows scripts from
// this origin only). wrangler.toml's Text rule bundles the file from the package, so the version
// served is the one package-lock.json pins; the path carries it, so the file is cached for good.
import { Hono } from "hono";
import HTMX from "htmx.org/dist/htmx.min.js";
import pkg from "htmx.org/package.json";

export const HTMX_PATH = `/static/htmx-${pkg.version}.min.js`;

export function staticRoutes() {
  const r = new Hono();
  r.get(HTMX_PATH, (c) =>
    c.body(HTMX, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    }),
  );
  return r;
}
