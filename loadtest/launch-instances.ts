import { join } from "node:path";
import { freePort } from "./support/free-port.ts";
import type { ServiceProcess } from "./support/service-process.ts";
import { stopAll, type LaunchCommon, type LaunchedTargets } from "./launched-targets.ts";

export interface InstanceSpec {
  kind: LaunchedTargets["kind"];
  /** `<label>-<i>` names each process and its log file */
  label: string;
  /** starts one instance on `port`, ready within `o.readyTimeoutMs` */
  start(instance: { port: number; label: string; logFile: string }): Promise<ServiceProcess>;
  /** run after every process stopped (drop the database, delete Redis keys), even when one fails */
  cleanup: Array<() => Promise<void>>;
}

/** Starts `o.instances` processes of `spec` on free ports; stops all if any fails. */
export async function launchInstances(o: LaunchCommon, spec: InstanceSpec): Promise<LaunchedTargets> {
  const services: ServiceProcess[] = [];
  const stop = () => stopAll([...services.map((s) => async () => void (await s.stop())), ...spec.cleanup]);
  try {
    const settled = await Promise.allSettled(
      Array.from({ length: o.instances }, async (_, i) => {
        const service = await spec.start({ port: await freePort(), label: `${spec.label}-${i}`, logFile: join(o.logDir, `${spec.label}-${i}.log`) });
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
