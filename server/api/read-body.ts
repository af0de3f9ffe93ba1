import contentType from "content-type";
import type { Context } from "koa";
import getRawBody from "raw-body";
import { hubError } from "../errors/hub-error.ts";

type BodyKind = "json" | "form";

function kindOf(ctx: Context): BodyKind | null {
  const header = ctx.get("content-type");
  if (!header) return null;
  try {
    const type = contentType.parse(header).type;
    if (type === "application/json" || type.endsWith("+json")) return "json";
    if (type === "application/x-www-form-urlencoded") return "form";
  } catch {
    // an unparsable Content-Type is simply not one we accept
  }
  return null;
}

async function readText(ctx: Context, limit: number): Promise<string> {
  const declared = Number(ctx.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw hubError("body_too_large", undefined, { details: { limitBytes: limit } });
  try {
    return await getRawBody(ctx.req, { limit, encoding: "utf8" });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === "entity.too.large") throw hubError("body_too_large", undefined, { details: { limitBytes: limit } });
    throw hubError("invalid_body", "The request body could not be read", { details: { reason: type ?? "unreadable" } });
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === "") throw hubError("invalid_json", "The request body is empty");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw hubError("invalid_json", undefined, { details: { reason: (error as Error).message.slice(0, 200) } });
  }
}

/** The body of an application/json request, parsed (415 for any other type, 413 past `limit`). */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  if (kindOf(ctx) !== "json") throw hubError("unsupported_media_type");
  return parseJson(await readText(ctx, limit));
}

/** A JSON or urlencoded-form body, as the original service accepted both. Form fields come back as strings. */
export async function readJsonOrFormBody(ctx: Context, limit: number): Promise<unknown> {
  const kind = kindOf(ctx);
  if (kind === null) throw hubError("unsupported_media_type", "The body must be application/json or application/x-www-form-urlencoded");
  const text = await readText(ctx, limit);
  if (kind === "json") return parseJson(text);
  const fields: Record<string, string> = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) if (!(k in fields)) fields[k] = v;
  return fields;
}
