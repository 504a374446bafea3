// A message that can never succeed (unknown connection, invalid body): recorded and acknowledged,
// never retried.
export class PoisonMessage extends Error {
  override readonly name = "PoisonMessage";
}
