import { join } from "node:path";
import { stopAll, type LaunchCommon, type LaunchedTargets } from "./launched-targets.ts";
import { freePort, startService, type ServiceProcess } from "./service-process.ts";

export interface InstanceSpec {
  kind: LaunchedTargets["kind"];
  /** `<label>-<i>` names each process and its log file */
  label: string;
  /** the script each instance runs (through tsx) */
  script: string;
  env: (port: number) => Record<string, string>;
  /** run after every process stopped (drop the database, delete Redis keys), even when one fails */
  cleanup: Array<() => Promise<void>>;
}

/** Starts `o.instances` processes of `spec` on free ports, ready on /readyz; stops all if any fails. */
export async function launchInstances(o: LaunchCommon, spec: InstanceSpec): Promise<LaunchedTargets> {
  const services: ServiceProcess[] = [];
  const stop = () => stopAll([...services.map((s) => () => s.stop()), ...spec.cleanup]);
  try {
    const settled = await Promise.allSettled(
      Array.from({ length: o.instances }, async (_, i) => {
        const port = await freePort();
        const service = await startService({
          label: `${spec.label}-${i}`,
          cwd: o.repoRoot,
          args: [spec.script],
          env: spec.env(port),
          port,
          logFile: join(o.logDir, `${spec.label}-${i}.log`),
          readyPath: "/readyz",
          readyTimeoutMs: o.readyTimeoutMs,
        });
        services.push(service);
        return service;
      }),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
    const started = settled.map((r) => (r as PromiseFulfilledResult<ServiceProcess>).value);
    return { kind: spec.kind, services: started, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
