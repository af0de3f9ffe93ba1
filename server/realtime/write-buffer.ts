import type { HubSocket } from "./events.ts";

type Connection = HubSocket["conn"];

/**
 * Packets a socket's connection holds that it has not yet handed to its transport. Engine.io keeps them in
 * its (untyped-private) `writeBuffer`, empties it whole at each flush and says "drain" right after. Read
 * where needed instead of counted by listeners on every packet of every socket.
 */
export function bufferedPackets(conn: Connection): number {
  return (conn as unknown as { writeBuffer: readonly unknown[] }).writeBuffer.length;
}

/** Resolves once the packets the connection holds now have gone to its transport (or it closed). */
export function whenWritten(conn: Connection): Promise<void> {
  if (conn.readyState === "closed" || bufferedPackets(conn) === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      conn.off("drain", done);
      conn.off("close", done);
      resolve();
    };
    conn.on("drain", done);
    conn.on("close", done);
  });
}
