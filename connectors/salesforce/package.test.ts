// Ebb's Salesforce package (package/, Salesforce DX source): read and converted to Metadata API
// format by Salesforce's own library (source-deploy-retrieve, what the Salesforce CLI deploys and
// packages with), every file well-formed XML, and the package agreeing with the connector: the
// fields push writes and the card reads are the package's, under its namespace, and the integration
// permission set may write them.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { HEALTH_FIELDS, NAMESPACE, TASK_KEY_FIELD } from "./map.ts";
import { customFields } from "./sandbox/state.ts";

// Loaded by name: its type declarations reach for the DOM's (through jsforce-node), which this
// project's Node-only typecheck leaves out. The little it is used for is typed here.
interface Sdr {
  ComponentSet: {
    fromSource(path: string): {
      getSourceComponents(): { toArray(): { type: { name: string }; fullName: string }[] };
    };
  };
  MetadataConverter: new () => {
    convert(
      set: unknown,
      format: "metadata",
      output: { type: "directory"; outputDirectory: string; genUniqueDir: boolean },
    ): Promise<unknown>;
  };
}
const SDR = "@salesforce/source-deploy-retrieve";
const { ComponentSet, MetadataConverter } = (await import(/* @vite-ignore */ SDR)) as Sdr;

const ROOT = join(import.meta.dirname, "package");
const SOURCE = join(ROOT, "force-app");
const out = mkdtempSync(join(tmpdir(), "ebb-sf-package-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
const xml = new XMLParser({ ignoreAttributes: true });
const read = (path: string) =>
  xml.parse(readFileSync(path, "utf8")) as Record<string, Record<string, unknown>>;

describe("Ebb's Salesforce package", () => {
  it("is a Salesforce DX project Salesforce's library resolves and converts to Metadata API format", async () => {
    const project = JSON.parse(readFileSync(join(ROOT, "sfdx-project.json"), "utf8")) as {
      namespace: string;
      packageDirectories: { path: string; package: string }[];
    };
    expect(project.namespace).toBe(NAMESPACE);
    expect(project.packageDirectories.map((d) => d.path)).toEqual(["force-app"]);
    const set = ComponentSet.fromSource(SOURCE);
    const components = set
      .getSourceComponents()
      .toArray()
      .map((c) => `${c.type.name}:${c.fullName}`)
      .sort();
    expect(components).toEqual(
      [
        "CustomField:Account.Coverage__c",
        "CustomField:Account.Health_Band__c",
        "CustomField:Account.Health_Score__c",
        "CustomField:Account.Health_Trend__c",
        "CustomField:Account.Score_Series__c",
        "CustomField:Account.Scored_On__c",
        "CustomField:Account.Top_Reasons__c",
        "CustomField:Activity.Task_Key__c",
        "ExternalClientApplication:Ebb",
        "ExtlClntAppOauthSettings:Ebb_oauth",
        "LightningComponentBundle:ebbHealthCard",
        "PermissionSet:Ebb_Health_Viewer",
        "PermissionSet:Ebb_Integration",
      ].sort(),
    );
    await new MetadataConverter().convert(set, "metadata", {
      type: "directory",
      outputDirectory: out,
      genUniqueDir: false,
    });
    const manifest = read(join(out, "package.xml")).Package as { types: { name: string }[] };
    expect(manifest.types.map((t) => t.name).sort()).toEqual([
      "CustomField",
      "ExternalClientApplication",
      "ExtlClntAppOauthSettings",
      "LightningComponentBundle",
      "PermissionSet",
    ]);
    // The converted tree is what a deploy or a package version would upload.
    expect(readdirSync(join(out, "objects")).sort()).toEqual(["Account.object", "Activity.object"]);
    expect(readdirSync(join(out, "lwc", "ebbHealthCard")).sort()).toEqual([
      "ebbHealthCard.css",
      "ebbHealthCard.html",
      "ebbHealthCard.js",
      "ebbHealthCard.js-meta.xml",
    ]);
  });

  it("has only well-formed XML", () => {
    const xmls = files(SOURCE).filter((f) => f.endsWith(".xml"));
    expect(xmls.length).toBeGreaterThan(10);
    for (const f of xmls)
      expect([f, XMLValidator.validate(readFileSync(f, "utf8"))]).toEqual([f, true]);
  });

  it("ships exactly the fields the connector writes, under its namespace, and lets the integration write them", () => {
    const dir = join(SOURCE, "main", "default", "objects");
    const accountFields = readdirSync(join(dir, "Account", "fields")).map((f) =>
      f.replace(".field-meta.xml", ""),
    );
    expect(accountFields.map((f) => `${NAMESPACE}__${f}`).sort()).toEqual(
      Object.values(HEALTH_FIELDS).sort(),
    );
    const key = read(join(dir, "Activity", "fields", "Task_Key__c.field-meta.xml")).CustomField;
    expect(`${NAMESPACE}__${key?.fullName}`).toBe(TASK_KEY_FIELD);
    expect(key).toMatchObject({ externalId: true, unique: true, type: "Text" });
    // The sandbox org holds the same fields the package installs.
    const sandbox = customFields();
    expect(
      (sandbox.Account ?? [])
        .map((f) => f.name)
        .filter((n) => n.startsWith(`${NAMESPACE}__`))
        .sort(),
    ).toEqual(Object.values(HEALTH_FIELDS).sort());
    expect(sandbox.Task?.find((f) => f.name === TASK_KEY_FIELD)).toMatchObject({
      externalId: true,
    });
    const integration = read(
      join(SOURCE, "main", "default", "permissionsets", "Ebb_Integration.permissionset-meta.xml"),
    ).PermissionSet as { fieldPermissions: { field: string; editable: boolean }[] };
    const editable = integration.fieldPermissions.filter((p) => p.editable).map((p) => p.field);
    for (const f of accountFields) expect(editable).toContain(`Account.${f}`);
    expect(editable).toContain("Activity.Task_Key__c");
  });

  it("has the card read every field push writes", () => {
    const js = readFileSync(
      join(SOURCE, "main", "default", "lwc", "ebbHealthCard", "ebbHealthCard.js"),
      "utf8",
    );
    for (const f of Object.values(HEALTH_FIELDS))
      expect(js).toContain(`@salesforce/schema/Account.${f.replace(`${NAMESPACE}__`, "")}`);
    expect(js).toContain(TASK_KEY_FIELD);
  });
});
