import { authHeaders } from "./test-hub.ts";

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** fetch with a JSON body and the test API key; the reply parsed as JSON when it is JSON. */
export async function api<T = any>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<JsonResponse<T>> {
  const res = await fetch(base + path, {
    method,
    headers: { ...authHeaders(), ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T };
}

export async function publish(base: string, uid: string, msg: unknown, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await api(base, "POST", "/api/messages", { uid, msg, ...extra });
  if (res.status !== 202) throw new Error(`publish failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

export async function messageStatus(base: string, id: string): Promise<string> {
  return (await api(base, "GET", `/api/messages/${id}`)).body.status as string;
}
