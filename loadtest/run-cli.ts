import { createInterruptCleanup, type CleanupRegistry } from "./cleanup-registry.ts";

/**
 * The frame of a load-test command: bad options print the error and usage (exit 2); an interrupt
 * runs the clean-ups registered so far (`interruptNote` says what they undo); a crash exits 1.
 */
export function runCli<O>(o: {
  parse(argv: string[]): O;
  usage: string;
  interruptNote: string;
  run(options: O, cleanup: CleanupRegistry): Promise<number>;
}): void {
  const main = async (): Promise<number> => {
    let options: O;
    try {
      options = o.parse(process.argv.slice(2));
    } catch (err) {
      console.error(`${(err as Error).message}\n\n${o.usage}`);
      return 2;
    }
    return o.run(options, createInterruptCleanup(o.interruptNote));
  };
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
