import contentType from "content-type";
import type { Context } from "koa";
import getRawBody from "raw-body";
import { hubError } from "../errors/hub-error.ts";
import { decodeUtf8 } from "./validation/decode-utf8.ts";
import { parseForm } from "./validation/parse-form.ts";

type BodyKind = "json" | "form";

/** The body's kind from its Content-Type; 415 for a charset other than UTF-8 (JSON is UTF-8, RFC 8259). */
function kindOf(ctx: Context): BodyKind | null {
  const header = ctx.get("content-type");
  if (!header) return null;
  let parsed: contentType.ParsedMediaType;
  try {
    parsed = contentType.parse(header);
  } catch {
    return null; // an unparsable Content-Type is simply not one we accept
  }
  const kind = parsed.type === "application/json" || parsed.type.endsWith("+json") ? "json" : parsed.type === "application/x-www-form-urlencoded" ? "form" : null;
  const charset = parsed.parameters.charset?.toLowerCase();
  if (kind !== null && charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
    throw hubError("unsupported_media_type", `Bodies are UTF-8 only; charset=${charset.slice(0, 40)} is not accepted`, { details: { charset: charset.slice(0, 40) } });
  }
  return kind;
}

/**
 * Bodies are read as sent: a Content-Encoding other than identity (gzip, br, …) is refused rather than
 * decoded, so the size limits always count the bytes the hub parses and no request costs the event loop a
 * decompression. Producers' messages are small; compress between data centres at the proxy if needed.
 */
function requireIdentityEncoding(ctx: Context): void {
  const encoding = ctx.get("content-encoding").trim().toLowerCase();
  if (encoding === "" || encoding === "identity") return;
  throw hubError("unsupported_content_encoding", undefined, { details: { contentEncoding: encoding.slice(0, 40) } });
}

async function readText(ctx: Context, limit: number): Promise<string> {
  requireIdentityEncoding(ctx);
  const declared = Number(ctx.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw hubError("body_too_large", undefined, { details: { limitBytes: limit } });
  let bytes: Buffer;
  try {
    bytes = await getRawBody(ctx.req, { limit });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === "entity.too.large") throw hubError("body_too_large", undefined, { details: { limitBytes: limit } });
    throw hubError("invalid_body", "The request body could not be read", { details: { reason: type ?? "unreadable" } });
  }
  const text = decodeUtf8(bytes);
  if (text === null) throw hubError("invalid_utf8");
  return text;
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
  const fields = parseForm(text);
  if (fields === null) throw hubError("invalid_utf8", "A form field's percent-escapes are not UTF-8");
  return fields;
}
