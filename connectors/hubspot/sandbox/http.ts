// How the sandbox answers: JSON bodies, HubSpot's error shape (status, message, correlation id,
// category), and reading a request body.
import type { IncomingMessage, ServerResponse } from "node:http";

export interface Result {
  status: number;
  body: unknown;
}

export interface Reply {
  send(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void;
  error(
    res: ServerResponse,
    status: number,
    message: string,
    extra?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): void;
}

/** Answers whose error bodies carry a correlation id from the current call number. */
export function replies(callNo: () => number): Reply {
  const send: Reply["send"] = (res, status, body, headers = {}) => {
    res.writeHead(status, { "content-type": "application/json;charset=utf-8", ...headers });
    res.end(typeof body === "string" ? body : JSON.stringify(body));
  };
  return {
    send,
    error: (res, status, message, extra = {}, headers = {}) =>
      send(
        res,
        status,
        {
          status: "error",
          message,
          correlationId: `sandbox-${callNo()}`,
          category: extra.category ?? "VALIDATION_ERROR",
          ...extra,
        },
        headers,
      ),
  };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}
