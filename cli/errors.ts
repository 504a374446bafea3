// The one error the CLI turns into "one clear line on stderr and exit code 2".

export class CliError extends Error {
  override readonly name = "CliError";
}
