// The Zendesk app package (connectors/zendesk/extension/) against the checks Zendesk applies when a
// package is uploaded (zendesk/zendesk_apps_support: validations/manifest.rb, translations.rb,
// secure_settings.rb, mime.rb, marketplace.rb), those that apply to a server-side app with signed
// URLs. `zcli apps:validate` uploads the package to a Zendesk account, so it cannot run here; these
// are the same rules, checked on the files. Each rule is also shown to catch a broken package.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { oauthCallbackPath } from "../routes.ts";
import { zendesk } from "./index.ts";

const ROOT = join(import.meta.dirname, "extension");

type Manifest = Record<string, unknown> & {
  author?: Record<string, unknown>;
  location?: Record<string, Record<string, { url?: string; flexible?: unknown }>>;
  parameters?: Record<string, unknown>[];
};

/** Support locations a v2 app may use (zendesk_apps_support's Location list, the ones Ebb may need). */
const SUPPORT_LOCATIONS = new Set([
  "top_bar",
  "nav_bar",
  "ticket_sidebar",
  "new_ticket_sidebar",
  "user_sidebar",
  "organization_sidebar",
  "background",
  "ticket_editor",
  "modal",
]);
const SERVED_VERSIONS = ["2.0"];
const PARAMETER_TYPES = ["text", "checkbox", "url", "number", "multiline", "hidden", "oauth"];
const SECURE_SCOPES = [
  "header",
  "body",
  "url",
  "jwt_secret_key",
  "jwt_claim",
  "basic_auth_username",
  "basic_auth_password",
];
const VALID_LOCALE = /^[a-z]{2,3}(-\w{2,3})?$/;
const BLOCKED_EXTENSIONS = new Set([
  "rar",
  "zip",
  "gz",
  "pdf",
  "doc",
  "docx",
  "avi",
  "bin",
  "bz",
  "bz2",
  "csh",
  "sh",
  "jar",
  "mp3",
  "mpeg",
  "odt",
  "pptx",
  "ppt",
  "xls",
  "xlsx",
  "7z",
]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [relative(ROOT, p)];
  });
}

/** The errors Zendesk's upload checks would report for this package (empty: it passes). */
function validate(m: Manifest, fileList: string[], read: (f: string) => string): string[] {
  const errors: string[] = [];
  for (const key of ["author", "defaultLocale"])
    if (m[key] === undefined) errors.push(`missing ${key}`);
  for (const key of ["name", "email", "url"])
    if (m.author && m.author[key] !== undefined && typeof m.author[key] !== "string")
      errors.push(`author ${key} not a string`);
  if (typeof m.author?.url === "string" && !/^https?:\/\//.test(m.author.url))
    errors.push("author url invalid");
  for (const key of ["requirementsOnly", "marketingOnly", "singleInstall", "signedUrls", "private"])
    if (m[key] !== undefined && typeof m[key] !== "boolean") errors.push(`${key} not a boolean`);
  for (const key of [
    "defaultLocale",
    "version",
    "frameworkVersion",
    "remoteInstallationURL",
    "termsConditionsURL",
  ])
    if (m[key] !== undefined && typeof m[key] !== "string") errors.push(`${key} not a string`);
  const locations = Object.entries(m.location ?? {});
  if (locations.length === 0) errors.push("missing location");
  for (const [product, where] of locations) {
    if (product !== "support") errors.push(`unknown host ${product}`);
    for (const [name, o] of Object.entries(where)) {
      if (!SUPPORT_LOCATIONS.has(name)) errors.push(`invalid location ${name}`);
      const url = o.url ?? "";
      if (!url) errors.push(`blank location uri for ${name}`);
      else if (!url.includes("{{setting.")) {
        const absolute = /^[a-z]+:\/\//.test(url);
        const ok = absolute
          ? url.startsWith("https://") || new URL(url).hostname === "localhost"
          : url.startsWith("assets/") && fileList.includes(url);
        if (!ok) errors.push(`invalid location uri ${url}`);
      }
      if (o.flexible !== undefined && typeof o.flexible !== "boolean")
        errors.push(`flexible not a boolean for ${name}`);
    }
  }
  if (m.frameworkVersion === undefined) errors.push("missing frameworkVersion");
  else if (!SERVED_VERSIONS.includes(String(m.frameworkVersion)))
    errors.push(`invalid version ${m.frameworkVersion}`);
  if (m.noTemplate !== undefined) errors.push("noTemplate is deprecated in v2");
  const params = m.parameters ?? [];
  if (!Array.isArray(params)) errors.push("parameters not an array");
  const names = params.map((p) => p.name);
  if (new Set(names).size !== names.length) errors.push("duplicate parameters");
  for (const p of params) {
    if (p.required !== undefined && typeof p.required !== "boolean")
      errors.push(`${p.name}.required not a boolean`);
    if (p.secure !== undefined && typeof p.secure !== "boolean")
      errors.push(`${p.name}.secure not a boolean`);
    if (!PARAMETER_TYPES.includes(String(p.type ?? "text"))) errors.push(`invalid type ${p.type}`);
    if (p.name === "name") errors.push("name as parameter name");
    if (p.type === "hidden" && p.required) errors.push(`hidden ${p.name} required`);
    if (p.type === "oauth" && p.secure) errors.push("oauth parameter cannot be secure");
    if (p.scopes !== undefined) {
      if (!p.secure) errors.push(`${p.name}.scopes needs a secure parameter`);
      if (!Array.isArray(p.scopes) || p.scopes.length === 0) errors.push(`${p.name}.scopes empty`);
      else
        for (const s of p.scopes)
          if (!SECURE_SCOPES.includes(String(s))) errors.push(`${p.name}.scopes has ${s}`);
    }
    // A warning at upload, an error here: a credential-like text setting must be secure.
    if (
      /token|key|pwd|password/i.test(String(p.name)) &&
      (p.type ?? "text") === "text" &&
      !p.secure
    )
      errors.push(`${p.name} looks like a secret but is not secure`);
  }
  if (params.filter((p) => p.type === "oauth").length > 1) errors.push("too many oauth parameters");
  const locale = String(m.defaultLocale ?? "");
  if (locale && !VALID_LOCALE.test(locale)) errors.push(`invalid default locale ${locale}`);
  else if (locale && !fileList.includes(`translations/${locale}.json`))
    errors.push(`missing translations/${locale}.json`);
  for (const f of fileList) {
    const t = /^translations\/(.*)\.json$/.exec(f);
    if (t) {
      if (!VALID_LOCALE.test(t[1] ?? "")) errors.push(`invalid locale file ${f}`);
      let json: { app?: Record<string, unknown> & { parameters?: Record<string, unknown> } };
      try {
        json = JSON.parse(read(f));
      } catch {
        errors.push(`${f} is not JSON`);
        continue;
      }
      for (const [param, leaf] of Object.entries(json.app?.parameters ?? {}))
        if (typeof leaf !== "object" || leaf === null || !("label" in leaf))
          errors.push(`${f}: parameter ${param} has no label`);
      if (f === "translations/en.json" && m.private !== true) {
        const keys = Object.keys(json.app ?? {}).map((k) =>
          k === "description" ? "short_description" : k,
        );
        for (const k of [
          "name",
          "short_description",
          "installation_instructions",
          "long_description",
        ])
          if (!keys.includes(k)) errors.push(`${f}: missing app.${k}`);
      }
    }
    const ext = f.split(".").pop() ?? "";
    if (BLOCKED_EXTENSIONS.has(ext)) errors.push(`unsupported file type ${f}`);
  }
  return errors;
}

const manifest = JSON.parse(readFileSync(join(ROOT, "manifest.json"), "utf8")) as Manifest;
const list = files(ROOT);
const read = (f: string) => readFileSync(join(ROOT, f), "utf8");

describe("the Zendesk app package", () => {
  it("passes the checks Zendesk runs on upload that apply to it", () => {
    expect(validate(manifest, list, read)).toEqual([]);
  });

  it("is a ZAF v2 app with signed URLs in the ticket and organization sidebars, served by the Worker", () => {
    expect(manifest.frameworkVersion).toBe("2.0");
    expect(manifest.signedUrls).toBe(true);
    const support = manifest.location?.support ?? {};
    expect(Object.keys(support).sort()).toEqual(["organization_sidebar", "ticket_sidebar"]);
    // The Worker serves the page at the connector's view path; the install's address is a setting.
    for (const o of Object.values(support))
      expect(o.url).toBe(`{{setting.ebb_url}}/zendesk/${zendesk.view?.path}`);
    expect(manifest.parameters?.find((p) => p.name === "ebb_url")).toMatchObject({
      type: "url",
      required: true,
    });
    expect(list).toEqual(
      expect.arrayContaining(["assets/logo.png", "assets/logo-small.png", "translations/en.json"]),
    );
    // The PNGs are PNGs.
    for (const f of ["assets/logo.png", "assets/logo-small.png"])
      expect(readFileSync(join(ROOT, f)).subarray(1, 4).toString()).toBe("PNG");
    expect(oauthCallbackPath("zendesk")).toBe("/oauth/zendesk/callback");
  });

  it("catches what Zendesk would refuse", () => {
    const broken = (change: (m: Manifest) => void) => {
      const m = structuredClone(manifest);
      change(m);
      return validate(m, list, read);
    };
    expect(broken((m) => delete m.author)).toContain("missing author");
    expect(broken((m) => (m.frameworkVersion = "1.0"))).toContain("invalid version 1.0");
    expect(broken((m) => (m.signedUrls = "yes"))).toContain("signedUrls not a boolean");
    expect(
      broken((m) => {
        m.location = { support: { ticket_sidebar: { url: "http://ebb.example/x" } } };
      }),
    ).toContain("invalid location uri http://ebb.example/x");
    expect(
      broken((m) => {
        m.location = { support: { lead_sidebar: { url: "https://ebb.example" } } };
      }),
    ).toContain("invalid location lead_sidebar");
    expect(broken((m) => m.parameters?.push({ name: "api_token", type: "text" }))).toContain(
      "api_token looks like a secret but is not secure",
    );
    expect(
      broken((m) => m.parameters?.push({ name: "x", type: "text", scopes: ["header"] })),
    ).toContain("x.scopes needs a secure parameter");
    expect(broken((m) => (m.defaultLocale = "fr"))).toContain("missing translations/fr.json");
    expect(validate(manifest, [...list, "assets/bundle.zip"], read)).toContain(
      "unsupported file type assets/bundle.zip",
    );
    expect(
      validate(manifest, list, (f) =>
        f === "translations/en.json" ? JSON.stringify({ app: { name: "Ebb" } }) : read(f),
      ),
    ).toContain("translations/en.json: missing app.long_description");
  });
});
