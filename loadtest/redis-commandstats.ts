/** `INFO` text of Redis → numbers: command counts (commandstats) and single fields. Pure. */

export interface CommandStat {
  calls: number;
  /** microseconds Redis spent executing them */
  usec: number;
}

export interface CommandDelta extends CommandStat {
  command: string;
}

/** `cmdstat_<name>:calls=N,usec=N,…` lines; subcommands keep Redis's `client|setname` form. */
export function parseCommandStats(info: string): Map<string, CommandStat> {
  const out = new Map<string, CommandStat>();
  for (const line of info.split(/\r?\n/)) {
    const m = /^cmdstat_([^:]+):(.*)$/.exec(line.trim());
    if (!m) continue;
    const fields = new Map((m[2] as string).split(",").map((kv) => kv.split("=") as [string, string]));
    out.set(m[1] as string, { calls: Number(fields.get("calls") ?? 0), usec: Number(fields.get("usec") ?? 0) });
  }
  return out;
}

/** One `name:value` field of INFO output, or undefined. */
export function infoField(info: string, name: string): string | undefined {
  for (const line of info.split(/\r?\n/)) {
    const i = line.indexOf(":");
    if (i > 0 && line.slice(0, i) === name) return line.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * What ran between two snapshots, most calls first. A command whose count went down (the stats
 * were reset in between) counts from zero. `exclude` drops commands by name (the probe's own INFO).
 */
export function commandDelta(before: Map<string, CommandStat>, after: Map<string, CommandStat>, exclude: readonly string[] = []): CommandDelta[] {
  const out: CommandDelta[] = [];
  for (const [command, a] of after) {
    if (exclude.includes(command)) continue;
    const b = before.get(command) ?? { calls: 0, usec: 0 };
    const reset = a.calls < b.calls;
    const calls = reset ? a.calls : a.calls - b.calls;
    const usec = reset ? a.usec : a.usec - b.usec;
    if (calls > 0) out.push({ command, calls, usec });
  }
  return out.sort((x, y) => y.calls - x.calls || x.command.localeCompare(y.command));
}
