// core/ holds no module-level mutable state: Durable Objects of different tenants can share an
// isolate, so a module-level cache of ticket text would carry one tenant's data into another's run.
// Each top-level binding of every core source file is read with the TypeScript parser: no `let` or
// `var`; a Map, Set or array only when it cannot be written (frozen, or typed read-only and never
// written in its file); nothing at the top level assigned to or mutated after load.
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { ROOT, sources } from "./support/sources.ts";

const MUTATORS = new Set([
  "push",
  "pop",
  "shift",
  "unshift",
  "splice",
  "sort",
  "reverse",
  "fill",
  "copyWithin",
  "set",
  "add",
  "delete",
  "clear",
]);
const COLLECTION =
  /^(Map|Set|WeakMap|WeakSet|Array|(Big)?(Int|Uint|Float)(8|16|32|64)(Clamped)?Array)$/;

/** What kind of value an initializer makes, looking through `as const`, `satisfies` and parentheses. */
function made(init: ts.Expression): "frozen" | "const" | "collection" | "array" | "other" {
  if (ts.isParenthesizedExpression(init) || ts.isSatisfiesExpression(init))
    return made(init.expression);
  if (ts.isAsExpression(init))
    return ts.isTypeReferenceNode(init.type) && init.type.getText() === "const"
      ? "const"
      : made(init.expression);
  if (ts.isCallExpression(init) && init.expression.getText() === "Object.freeze") return "frozen";
  if (ts.isNewExpression(init) && COLLECTION.test(init.expression.getText())) return "collection";
  if (ts.isArrayLiteralExpression(init)) return "array";
  if (ts.isCallExpression(init) && /^Array\.(from|of)$/.test(init.expression.getText()))
    return "array";
  return "other";
}

const readOnlyType = (t: ts.TypeNode | undefined) =>
  t !== undefined && /^(readonly |Readonly(Set|Map|Array)<|Readonly<)/.test(t.getText());

/** The identifier an expression like `a.b[c].d` starts from. */
function rootName(e: ts.Expression): string | undefined {
  let x: ts.Expression = e;
  while (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) x = x.expression;
  return ts.isIdentifier(x) ? x.text : undefined;
}

function moduleStateProblems(fileName: string, text: string): string[] {
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const problems: string[] = [];
  const where = (n: ts.Node) =>
    `${fileName}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const topLevel = new Set<string>();
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
    for (const d of st.declarationList.declarations) {
      const name = d.name.getText();
      topLevel.add(name);
      if (!isConst) {
        problems.push(`${where(d)}: module-level let/var ${name}`);
        continue;
      }
      if (!d.initializer) continue;
      const kind = made(d.initializer);
      if ((kind === "collection" || kind === "array") && !readOnlyType(d.type))
        problems.push(
          `${where(d)}: module-level ${kind === "array" ? "array" : "collection"} ${name} can be written (freeze it, type it read-only, or make it per run)`,
        );
    }
  }
  // Anything at the top level written after load: assigned to, or a mutating method called on it.
  const visit = (n: ts.Node) => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      n.operatorToken.kind <= ts.SyntaxKind.LastAssignment
    ) {
      const root = rootName(n.left);
      if (root && topLevel.has(root) && !ts.isIdentifier(n.left))
        problems.push(`${where(n)}: writes into module-level ${root}`);
    }
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      MUTATORS.has(n.expression.name.text)
    ) {
      const root = rootName(n.expression.expression);
      if (root && topLevel.has(root) && !isShadowed(n, root))
        problems.push(`${where(n)}: ${n.expression.name.text}() on module-level ${root}`);
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(sf, visit);
  return problems;
}

/** Whether `name` at `n` is a local of an enclosing function rather than the module's binding. */
function isShadowed(n: ts.Node, name: string): boolean {
  for (let p: ts.Node | undefined = n.parent; p && !ts.isSourceFile(p); p = p.parent) {
    if (ts.isFunctionLike(p) && p.parameters.some((x) => x.name.getText() === name)) return true;
    if (ts.isBlock(p) || ts.isForStatement(p) || ts.isForOfStatement(p)) {
      let found = false;
      const look = (c: ts.Node) => {
        if (found) return;
        if (ts.isVariableDeclaration(c) && c.name.getText() === name) found = true;
        else if (!ts.isFunctionLike(c)) ts.forEachChild(c, look);
      };
      ts.forEachChild(p, look);
      if (found) return true;
    }
  }
  return false;
}

describe("core holds no module-level mutable state", () => {
  it("finds none in any core source file", () => {
    const files = sources("core");
    expect(files.length).toBeGreaterThan(20);
    const problems = files.flatMap((f) =>
      moduleStateProblems(relative(ROOT, f), readFileSync(f, "utf8")),
    );
    expect(problems).toEqual([]);
  });

  it("catches the kinds of state it looks for (the scanner itself works)", () => {
    const text = [
      "let hits = 0;",
      "const cache = new Map<string, number>();",
      "const scratch = new Float64Array(4);",
      "const list: string[] = [];",
      "const FROZEN = Object.freeze([1, 2]);",
      "const NAMES: readonly string[] = ['a'];",
      "const LOOKUP: ReadonlySet<string> = new Set(['x']);",
      "const CONFIG = { a: 1 };",
      "export function f(k: string) { CONFIG.a = 2; const list = [1]; list.push(2); return k; }",
    ].join("\n");
    const found = moduleStateProblems("x.ts", text);
    expect(found).toEqual([
      "x.ts:1: module-level let/var hits",
      expect.stringContaining("x.ts:2: module-level collection cache"),
      expect.stringContaining("x.ts:3: module-level collection scratch"),
      expect.stringContaining("x.ts:4: module-level array list"),
      "x.ts:9: writes into module-level CONFIG",
    ]);
  });
});
