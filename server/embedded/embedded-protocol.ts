/** IPC messages between the hub (parent) and the embedded PostgreSQL child (pglite-server.ts). */

export type ChildErrorCode =
  | "embedded_port_in_use"
  | "embedded_data_dir_unusable"
  | "embedded_data_dir_locked"
  | "embedded_start_failed";

export type ChildMessage =
  | { type: "ready"; port: number; fresh: boolean; startMs: number }
  | { type: "error"; code: ChildErrorCode; message: string };

export type ParentMessage = { type: "stop" };

export function isChildMessage(value: unknown): value is ChildMessage {
  if (typeof value !== "object" || value === null) return false;
  const type = (value as { type?: unknown }).type;
  return type === "ready" || type === "error";
}
