// The SOQL the sandbox understands, after Salesforce's SOQL and SOSL Reference: SELECT of fields,
// parent fields (`Owner.Email`) and one level of child subquery (`(SELECT … FROM Opportunities …)`),
// FROM one object, WHERE with AND / OR / NOT, parentheses, = != < <= > >= IN and LIKE, literals
// (quoted strings with backslash escapes, numbers, true/false/null, dates, date-times with Z or an
// offset), ORDER BY with ASC/DESC and NULLS FIRST/LAST, LIMIT. Anything else is MALFORMED_QUERY,
// as Salesforce answers it.

export class SoqlError extends Error {
  constructor(
    readonly errorCode: "MALFORMED_QUERY" | "INVALID_FIELD" | "INVALID_TYPE",
    message: string,
  ) {
    super(message);
  }
}

export type Literal =
  | { t: "string"; v: string }
  | { t: "number"; v: number }
  | { t: "bool"; v: boolean }
  | { t: "null" }
  | { t: "date"; v: string }
  | { t: "datetime"; v: number };

export type Condition =
  | { op: "and" | "or"; parts: Condition[] }
  | { op: "not"; part: Condition }
  | { op: "cmp"; field: string; cmp: "=" | "!=" | "<" | "<=" | ">" | ">="; value: Literal }
  | { op: "in"; field: string; values: Literal[]; negate: boolean }
  | { op: "like"; field: string; pattern: string };

export interface Query {
  fields: ({ kind: "field"; path: string } | { kind: "sub"; query: Query })[];
  from: string;
  where?: Condition;
  orderBy: { path: string; desc: boolean; nullsLast: boolean }[];
  limit?: number;
}

type Token = { k: "word" | "string" | "num" | "sym" | "datetime" | "date"; v: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const dt = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/.exec(rest);
    if (dt) {
      out.push({ k: "datetime", v: dt[0], at: i });
      i += dt[0].length;
      continue;
    }
    const d = /^\d{4}-\d{2}-\d{2}(?![\dT])/.exec(rest);
    if (d) {
      out.push({ k: "date", v: d[0], at: i });
      i += d[0].length;
      continue;
    }
    const n = /^-?\d+(\.\d+)?/.exec(rest);
    if (n) {
      out.push({ k: "num", v: n[0], at: i });
      i += n[0].length;
      continue;
    }
    const w = /^[A-Za-z_][A-Za-z0-9_.]*/.exec(rest);
    if (w) {
      out.push({ k: "word", v: w[0], at: i });
      i += w[0].length;
      continue;
    }
    if (c === "'") {
      let v = "";
      let j = i + 1;
      for (; j < src.length && src[j] !== "'"; j++) {
        if (src[j] === "\\") {
          j++;
          const e = src[j];
          v += e === "n" ? "\n" : e === "t" ? "\t" : (e ?? "");
        } else v += src[j];
      }
      if (j >= src.length) throw new SoqlError("MALFORMED_QUERY", `unterminated string at ${i}`);
      out.push({ k: "string", v, at: i });
      i = j + 1;
      continue;
    }
    const sym = /^(!=|<=|>=|<>|[=<>(),])/.exec(rest);
    if (sym) {
      out.push({ k: "sym", v: sym[0] === "<>" ? "!=" : sym[0], at: i });
      i += sym[0].length;
      continue;
    }
    throw new SoqlError("MALFORMED_QUERY", `unexpected '${c}' at ${i}`);
  }
  return out;
}

export function parseSoql(src: string): Query {
  const tokens = tokenize(src);
  let p = 0;
  const peek = () => tokens[p];
  const isWord = (w: string, t = peek()) => t?.k === "word" && t.v.toUpperCase() === w;
  const fail = (what: string): never => {
    const t = peek();
    throw new SoqlError(
      "MALFORMED_QUERY",
      `${what}${t ? ` at '${t.v}' (position ${t.at})` : " at the end of the query"}`,
    );
  };
  const expectWord = (w: string) => {
    if (!isWord(w)) fail(`expected ${w}`);
    p++;
  };
  const expectSym = (s: string) => {
    const t = peek();
    if (t?.k !== "sym" || t.v !== s) fail(`expected '${s}'`);
    p++;
  };
  const name = (): string => {
    const t = peek();
    if (t?.k !== "word") return fail("expected a field or object name");
    p++;
    return t.v;
  };
  const literal = (): Literal => {
    const t = peek();
    if (!t) return fail("expected a value");
    p++;
    if (t.k === "string") return { t: "string", v: t.v };
    if (t.k === "num") return { t: "number", v: Number(t.v) };
    if (t.k === "date") return { t: "date", v: t.v };
    if (t.k === "datetime")
      return { t: "datetime", v: Date.parse(t.v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")) };
    if (t.k === "word") {
      const u = t.v.toUpperCase();
      if (u === "TRUE" || u === "FALSE") return { t: "bool", v: u === "TRUE" };
      if (u === "NULL") return { t: "null" };
    }
    p--;
    return fail("expected a value");
  };
  const atom = (): Condition => {
    if (isWord("NOT")) {
      p++;
      return { op: "not", part: atom() };
    }
    const t = peek();
    if (t?.k === "sym" && t.v === "(") {
      p++;
      const c = or();
      expectSym(")");
      return c;
    }
    const field = name();
    if (isWord("IN") || (isWord("NOT") && isWord("IN", tokens[p + 1]))) {
      const negate = isWord("NOT");
      p += negate ? 2 : 1;
      expectSym("(");
      const values = [literal()];
      while (peek()?.v === ",") {
        p++;
        values.push(literal());
      }
      expectSym(")");
      return { op: "in", field, values, negate };
    }
    if (isWord("LIKE")) {
      p++;
      const v = literal();
      if (v.t !== "string") fail("LIKE needs a string");
      return { op: "like", field, pattern: (v as { v: string }).v };
    }
    const op = peek();
    if (op?.k !== "sym" || !["=", "!=", "<", "<=", ">", ">="].includes(op.v))
      return fail("expected a comparison");
    p++;
    return {
      op: "cmp",
      field,
      cmp: op.v as "=" | "!=" | "<" | "<=" | ">" | ">=",
      value: literal(),
    };
  };
  /** An AND chain, and whether it was bare (more than one atom outside parentheses). */
  const and = (): { c: Condition; bare: boolean } => {
    const parts = [atom()];
    while (isWord("AND")) {
      p++;
      parts.push(atom());
    }
    return parts.length === 1
      ? { c: parts[0] as Condition, bare: false }
      : { c: { op: "and", parts }, bare: true };
  };
  const or = (): Condition => {
    const chains = [and()];
    while (isWord("OR")) {
      p++;
      chains.push(and());
    }
    // SOQL refuses AND and OR side by side without parentheses.
    if (chains.length > 1 && chains.some((x) => x.bare))
      throw new SoqlError(
        "MALFORMED_QUERY",
        "unexpected token: 'OR': mixing AND and OR needs parentheses",
      );
    return chains.length === 1
      ? (chains[0] as { c: Condition }).c
      : { op: "or", parts: chains.map((x) => x.c) };
  };
  const query = (): Query => {
    expectWord("SELECT");
    const fields: Query["fields"] = [];
    for (;;) {
      const t = peek();
      if (t?.k === "sym" && t.v === "(") {
        p++;
        fields.push({ kind: "sub", query: query() });
        expectSym(")");
      } else fields.push({ kind: "field", path: name() });
      if (peek()?.v !== ",") break;
      p++;
    }
    expectWord("FROM");
    const q: Query = { fields, from: name(), orderBy: [] };
    if (isWord("WHERE")) {
      p++;
      q.where = or();
    }
    if (isWord("ORDER")) {
      p++;
      expectWord("BY");
      for (;;) {
        const path = name();
        let desc = false;
        if (isWord("ASC")) p++;
        else if (isWord("DESC")) {
          p++;
          desc = true;
        }
        let nullsLast = desc;
        if (isWord("NULLS")) {
          p++;
          if (isWord("LAST")) nullsLast = true;
          else if (isWord("FIRST")) nullsLast = false;
          else fail("expected FIRST or LAST");
          p++;
        }
        q.orderBy.push({ path, desc, nullsLast });
        if (peek()?.v !== ",") break;
        p++;
      }
    }
    if (isWord("LIMIT")) {
      p++;
      const t = peek();
      if (t?.k !== "num") fail("expected a number");
      q.limit = Number(t?.v);
      p++;
    }
    return q;
  };
  const q = query();
  if (p < tokens.length) fail("unexpected token");
  return q;
}

/** A record's value as comparable: date-times as ms, everything else as is. */
function comparable(v: unknown, like: Literal): unknown {
  if (like.t === "datetime" && typeof v === "string")
    return Date.parse(v.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return v;
}
const litValue = (l: Literal): unknown => (l.t === "null" ? null : l.v);

export function matches(c: Condition, get: (path: string) => unknown): boolean {
  switch (c.op) {
    case "and":
      return c.parts.every((x) => matches(x, get));
    case "or":
      return c.parts.some((x) => matches(x, get));
    case "not":
      return !matches(c.part, get);
    case "in": {
      const v = get(c.field);
      const hit = c.values.some((l) => comparable(v, l) === litValue(l));
      return c.negate ? !hit : hit;
    }
    case "like": {
      const v = get(c.field);
      if (typeof v !== "string") return false;
      const re = new RegExp(
        `^${c.pattern
          .replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          .replaceAll("%", ".*")
          .replaceAll("_", ".")}$`,
        "i",
      );
      return re.test(v);
    }
    case "cmp": {
      const raw = get(c.field);
      const want = litValue(c.value);
      if (c.value.t === "null")
        return c.cmp === "=" ? raw == null : c.cmp === "!=" ? raw != null : false;
      if (raw == null) return c.cmp === "!=";
      const v = comparable(raw, c.value) as string | number | boolean;
      const w = want as string | number | boolean;
      switch (c.cmp) {
        case "=":
          return v === w;
        case "!=":
          return v !== w;
        case "<":
          return v < w;
        case "<=":
          return v <= w;
        case ">":
          return v > w;
        case ">=":
          return v >= w;
      }
    }
  }
}

/** Every field path a condition names. */
export function conditionFields(c: Condition | undefined): string[] {
  if (!c) return [];
  if (c.op === "and" || c.op === "or") return c.parts.flatMap(conditionFields);
  if (c.op === "not") return conditionFields(c.part);
  if (c.op === "cmp" || c.op === "in" || c.op === "like") return [c.field];
  return [];
}
