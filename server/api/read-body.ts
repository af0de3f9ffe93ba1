import contentType from "content-type";
import type { Context } from "koa";
import getRawBody from "raw-body";
import { BodyTooLargeError } from "../errors/body-too-large-error.ts";
import { InvalidBodyError } from "../errors/invalid-body-error.ts";
import { InvalidJsonError } from "../errors/invalid-json-error.ts";
import { UnsupportedMediaTypeError } from "../errors/unsupported-media-type-error.ts";

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
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(undefined, { limitBytes: limit });
  try {
    return await getRawBody(ctx.req, { limit, encoding: "utf8" });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === "entity.too.large") throw new BodyTooLargeError(undefined, { limitBytes: limit });
    throw new InvalidBodyError("The request body could not be read", { reason: type ?? "unreadable" });
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === "") throw new InvalidJsonError("The request body is empty");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InvalidJsonError(undefined, { reason: (error as Error).message.slice(0, 200) });
  }
}

/** The body of an application/json request, parsed (415 for any other type, 413 past `limit`). */
export async function readJsonBody(ctx: Context, limit: number): Promise<unknown> {
  if (kindOf(ctx) !== "json") throw new UnsupportedMediaTypeError();
  return parseJson(await readText(ctx, limit));
}

/** A JSON or urlencoded-form body, as the original service accepted both. Form fields come back as strings. */
export async function readJsonOrFormBody(ctx: Context, limit: number): Promise<unknown> {
  const kind = kindOf(ctx);
  if (kind === null) throw new UnsupportedMediaTypeError("The body must be application/json or application/x-www-form-urlencoded");
  const text = await readText(ctx, limit);
  if (kind === "json") return parseJson(text);
  const fields: Record<string, string> = Object.create(null);
  for (const [k, v] of new URLSearchParams(text)) if (!(k in fields)) fields[k] = v;
  return fields;
}
