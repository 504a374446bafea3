// Tokens at rest: AES-256-GCM with a key from the TOKEN_KEY secret, a fresh 96-bit IV per write,
// and the connection id as additional data, so a ciphertext copied to another connection fails.
function fromBase64(s: string): Uint8Array<ArrayBuffer> {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export async function importTokenKey(secret: string): Promise<CryptoKey> {
  const raw = fromBase64(secret.trim());
  if (raw.length !== 32) throw new Error("TOKEN_KEY must be 32 bytes, base64-encoded");
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

export interface Sealed {
  iv: string;
  data: string;
}

export async function seal(key: CryptoKey, plain: unknown, context: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) },
    key,
    new TextEncoder().encode(JSON.stringify(plain)),
  );
  return { iv: toBase64(iv), data: toBase64(new Uint8Array(data)) };
}

export async function open(key: CryptoKey, sealed: Sealed, context: string): Promise<unknown> {
  const plain = await crypto.subtle.decrypt(
    {
      name: "AES-GCM",
      iv: fromBase64(sealed.iv),
      additionalData: new TextEncoder().encode(context),
    },
    key,
    fromBase64(sealed.data),
  );
  return JSON.parse(new TextDecoder().decode(plain));
}
