import type { Server } from "socket.io";

const PREFIX = "uid:";

/** The room every socket of a uid joins; deliveries go to it, whichever instance holds the sockets. */
export const userRoom = (uid: string) => `${PREFIX}${uid}`;

/** Uids with at least one socket on this instance. */
export function localUids(io: Pick<Server, "of">): string[] {
  const uids: string[] = [];
  for (const room of io.of("/").adapter.rooms.keys()) if (room.startsWith(PREFIX)) uids.push(room.slice(PREFIX.length));
  return uids;
}
