// The HubSpot SDK calls `node-fetch`; in the Worker that is the platform's own fetch (node-fetch's
// Node http agent does not apply there). Only `agent` is dropped; `resp.buffer()` serves the SDK's
// file downloads, which Ebb does not use.
type NodeFetchInit = RequestInit & { agent?: unknown };

export default function nodeFetch(url: string | URL | Request, init: NodeFetchInit = {}) {
  const { agent: _agent, ...rest } = init;
  return fetch(url, rest);
}
