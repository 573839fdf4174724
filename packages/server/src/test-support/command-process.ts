// A second process that runs a command of a running app, as `lit <command> --key value` does:
//   node --import tsx command-process.ts <command> [--key value...]         (finds the app in $LIT_HOME)
//   node --import tsx command-process.ts --url <url> <command> '<json args>'  (runCommand directly)
import { runCliCommand, runCommand } from "../index.ts";

const argv = process.argv.slice(2);
try {
  let result: unknown;
  if (argv[0] === "--url") {
    result = await runCommand(argv[1]!, argv[2]!, JSON.parse(argv[3] ?? "{}"), process.env.LIT_TOKEN);
  } else {
    result = await runCliCommand(argv[0]!, argv.slice(1));
  }
  process.stdout.write(JSON.stringify({ result }) + "\n");
} catch (error) {
  process.stdout.write(JSON.stringify({ error: (error as Error).message, code: (error as { code?: string }).code }) + "\n");
  process.exitCode = 1;
}
