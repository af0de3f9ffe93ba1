import type { RelayPort } from "./relay-notice.ts";
import { RelayTarget } from "./relay-target.ts";
import type { StreamSession } from "./stream-session.ts";

/** The relay targets of this instance's holdings: per uid, one for each instance relaying to sockets of it. */
export class RelayTargets {
  private readonly byUid = new Map<string, Map<string, RelayTarget>>();

  /** `instance` asked to relay the holding's messages to its sockets of the uid: it becomes a target. */
  open(instance: string, session: StreamSession, port: RelayPort): void {
    const target = new RelayTarget(instance, session.uid, session.lease, () => session.ackedSeq, port);
    this.set(session.uid, instance, target);
    session.addTarget(target);
    target.opened(session.unreadStamp);
  }

  private set(uid: string, instance: string, target: RelayTarget): void {
    let of = this.byUid.get(uid);
    if (!of) this.byUid.set(uid, (of = new Map()));
    of.set(instance, target);
  }

  get(uid: string, instance: string): RelayTarget | undefined {
    return this.byUid.get(uid)?.get(instance);
  }

  delete(uid: string, instance: string): void {
    const of = this.byUid.get(uid);
    if (of?.delete(instance) && of.size === 0) this.byUid.delete(uid);
  }

  /** The uid's holding here ended: its relays with it. */
  deleteUid(uid: string): void {
    this.byUid.delete(uid);
  }
}
