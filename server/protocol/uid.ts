import { z } from "zod";
import { stringProblem } from "./check-json-value.ts";

/** A uid as producers send it and client tokens carry it (`sub`). */
export const uidSchema = z
  .string()
  .min(1, "must be 1–128 characters")
  .max(128, "must be 1–128 characters")
  .refine((s) => stringProblem(s) === null, "must not contain NUL characters or unpaired surrogates");
