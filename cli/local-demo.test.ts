// The demo's polling of the local Worker: retried with backoff, and a clear reason when it gives up.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { askStatus } from "./local-demo.ts";

let close: (() => void) | undefined;
afterEach(() => {
  close?.();
  close = undefined;
});

async function serve(answers: number[]) {
  let n = 0;
  const server = createServer((_req, res) => {
    const status = answers[Math.min(n++, answers.length - 1)] ?? 200;
    if (status === 0) return res.destroy(); // connection dropped mid-request
    if (status === -1) return; // never answered
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(status === 200 ? { accounts: 3 } : { error: "busy" }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  close = () => server.close();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("asking the local Worker for its status", () => {
  it("asks again after a dropped connection or a 503, and answers when the Worker does", async () => {
    const url = await serve([0, 503, 200]);
    const s = await askStatus({ url, output: () => "" }, "c", [0, 10, 10, 10]);
    expect(s.accounts).toBe(3);
  });

  it("abandons a request that gets no answer and asks again", async () => {
    const url = await serve([-1, 200]);
    const started = Date.now();
    const s = await askStatus({ url, output: () => "" }, "c", [0, 10], 300);
    expect(s.accounts).toBe(3);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("gives up with the reason and wrangler's last lines", async () => {
    const url = await serve([503]);
    const output = () => "line 1\n✘ [ERROR] Uncaught exception in queue consumer\n";
    await expect(askStatus({ url, output }, "c", [0, 5, 5])).rejects.toThrow(
      /stopped answering its status API \(status 503[\s\S]*Uncaught exception in queue consumer/,
    );
  });
});
