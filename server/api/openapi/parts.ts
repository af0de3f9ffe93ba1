import { z } from "zod";
import { HTTP_ERRORS, type HttpErrorCode } from "../../errors/error-codes.ts";

/** Pieces every part of the OpenAPI document is built from. */
/** JSON Schema (2020-12, what OpenAPI 3.1 uses) of what a request may send, from the route's own zod schema. */
export const schemaOf = (schema: z.ZodType) => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" });
  return rest;
};

export const json = (schema: unknown) => ({ "application/json": { schema } });
const errorRef = { $ref: "#/components/schemas/Error" };
export const HTTP_CODES = Object.keys(HTTP_ERRORS) as HttpErrorCode[];
const codesOf = (status: number) => HTTP_CODES.filter((code) => HTTP_ERRORS[code].status === status);
export const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: `error: ${codesOf(s).join(" | ")}`, content: json(errorRef) }]));
export const idParam = (name: string, description: string) => ({ name, in: "path", required: true, schema: { type: "string" }, description });

export const keyed = { security: [{ apiKey: [] }] };
