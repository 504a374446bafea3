// The `ebb` command: a thin shell over core/ — argument parsing, files, progress; no judgement here.
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { toDayNumber } from "../core/day.ts";
import { runBacktest } from "./commands/backtest.ts";
import { runCoreDemo } from "./commands/demo.ts";
import { runGenerate } from "./commands/generate.ts";
import { runScore } from "./commands/score.ts";
import { runWorkerDemo } from "./commands/worker-demo.ts";
import { CliError } from "./errors.ts";
import { BATCH_ACCOUNTS } from "./read-batches.ts";

const BATCH_FLAG = "--batch <n>";
const BATCH_HELP =
  "accounts held in memory at a time: the input is read in one pass, spilled by batch to a temporary folder, and scored a batch at a time";

const io = {
  log: (line: string) => process.stdout.write(`${line}\n`),
  warn: (line: string) => process.stderr.write(`${line}\n`),
  tty: Boolean(process.stderr.isTTY),
};

function day(value: string): string {
  if (Number.isNaN(toDayNumber(value)))
    throw new InvalidArgumentError(`expected a day as YYYY-MM-DD, got "${value}"`);
  return value;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive whole number, got "${value}"`);
  return n;
}

/** A folder name (it is wiped at start): letters, digits and dashes only, never a path. */
function folderName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/.test(value))
    throw new InvalidArgumentError(
      `expected a folder name of letters, digits and dashes, got "${value}"`,
    );
  return value;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n))
    throw new InvalidArgumentError(`expected a whole number, got "${value}"`);
  return n;
}

export function buildProgram(): Command {
  const program = new Command("ebb")
    .description("Ebb: score B2B accounts every day, detect the turn into decay, and say why.")
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError(false);

  program
    .command("score")
    .description(
      "score every account every day; writes snapshots.ndjson, tasks.ndjson and alerts.ndjson",
    )
    .argument(
      "<input-dir>",
      "interchange folder (accounts.ndjson, tickets.ndjson, …; .gz accepted)",
    )
    .requiredOption("--out <dir>", "folder to write results into")
    .option("--from <day>", "first day to score (YYYY-MM-DD); default: the start of the data", day)
    .option("--to <day>", "last day to score (YYYY-MM-DD); default: the end of the data", day)
    .option(BATCH_FLAG, BATCH_HELP, positiveInt, BATCH_ACCOUNTS)
    .option("--weights <file>", "stage weights to score with (JSON, as backtest --fit writes them)")
    .action(
      async (
        input: string,
        o: { out: string; from?: string; to?: string; batch: number; weights?: string },
      ) => {
        if (o.from && o.to && o.from > o.to)
          throw new CliError(`--from ${o.from} is after --to ${o.to}`);
        await runScore(input, o, io);
      },
    );

  program
    .command("backtest")
    .description("how early and how precisely the score would have warned, using outcomes.ndjson")
    .argument("<input-dir>", "interchange folder with outcomes.ndjson")
    .option("--json", "print the report as JSON")
    .option("--from <day>", "first day to score (YYYY-MM-DD); default: the start of the data", day)
    .option("--to <day>", "last day to score (YYYY-MM-DD); default: the end of the data", day)
    .option(BATCH_FLAG, BATCH_HELP, positiveInt, BATCH_ACCOUNTS)
    .option("--weights <file>", "stage weights to score with (JSON, as --fit writes them)")
    .option(
      "--fit",
      "learn stage weights from this history: fit on the days up to --split, report before and after on the days after it",
    )
    .option(
      "--split <day>",
      "where --fit's time split falls (default: the middle of the data)",
      day,
    )
    .option("--weights-out <file>", "where --fit writes the fitted weights (nothing is adopted)")
    .action(
      async (
        input: string,
        o: {
          json?: boolean;
          from?: string;
          to?: string;
          batch: number;
          weights?: string;
          fit?: boolean;
          split?: string;
          weightsOut?: string;
        },
      ) => {
        if (o.from && o.to && o.from > o.to)
          throw new CliError(`--from ${o.from} is after --to ${o.to}`);
        await runBacktest(input, o, io);
      },
    );

  program
    .command("generate")
    .description("write a synthetic portfolio (deterministic from the seed) with its ground truth")
    .argument("<out-dir>", "folder to write into")
    .addOption(
      new Option("--accounts <n>", "number of accounts")
        .argParser(positiveInt)
        .makeOptionMandatory(),
    )
    .addOption(new Option("--seed <s>", "random seed").argParser(integer).makeOptionMandatory())
    .option("--start <day>", "first day of data", day, "2024-01-01")
    .option("--days <n>", "days of data", positiveInt, 730)
    .action((out: string, o: { accounts: number; seed: number; start: string; days: number }) => {
      runGenerate(out, o, io.log);
    });

  program
    .command("demo")
    .description(
      "the product locally, offline: HubSpot sandbox, the Worker under wrangler dev, install, sync, score, writeback; prints the admin URL",
    )
    .option("--accounts <n>", "number of accounts", positiveInt, 120)
    .option("--seed <s>", "random seed", integer, 42)
    .option("--port <n>", "the Worker's port", positiveInt, 8787)
    .option(
      "--state <name>",
      "the local Worker's state folder, under .wrangler/ (wiped at start)",
      folderName,
      "demo-state",
    )
    .option("--core", "score in this process only (no Worker): generate, score, print", false)
    .option("--out <dir>", "working folder for --core", "out/demo")
    .action(
      async (o: {
        out: string;
        accounts: number;
        seed: number;
        port: number;
        state: string;
        core: boolean;
      }) => {
        if (o.core) await runCoreDemo(o, io);
        else await runWorkerDemo(o, io);
      },
    );
  return program;
}

/** Run the CLI; resolves to the exit code (0 ok, 2 usage or input error). */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv, { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version are not errors; commander has already printed its one line otherwise.
      return e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
        ? 0
        : 2;
    }
    if (e instanceof CliError) {
      io.warn(`ebb: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
