/**
 * @module
 * zod field types the vendor adapters share.
 */
import { z } from "zod";
import { parseTimestamp } from "../lib/time";

/** A required, non-blank string, trimmed. */
export const requiredText = z.string().trim().min(1);

/** An optional string; blank and null count as absent. */
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => (v === undefined || v === null || v.trim() === "" ? null : v));

/** An id or number that pipelines send as either a string or a number. */
export const optionalId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === undefined || v === null || String(v).trim() === "" ? null : String(v)));

/** A required id that vendors send as either a string or a number, as a string. */
export const requiredId = z.union([z.number(), requiredText]).transform(String);

/** Any timestamp form `parseTimestamp` reads, as UTC ISO 8601. */
export const timestamp = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseTimestamp(value);
  if (parsed === null) {
    ctx.addIssue({ code: "custom", message: `is not a valid time: ${JSON.stringify(value).slice(0, 64)}` });
    return z.NEVER;
  }
  return parsed;
});

/** An optional timestamp; blank and null count as absent. */
export const optionalTimestamp = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((value, ctx) => {
    if (value === undefined || value === null || value === "") return null;
    const parsed = parseTimestamp(value);
    if (parsed === null) {
      ctx.addIssue({ code: "custom", message: `is not a valid time: ${JSON.stringify(value).slice(0, 64)}` });
      return z.NEVER;
    }
    return parsed;
  });

/** `rollback` or `hotfix` from a payload's `kind`, `type` or `deployment_type` field, else null. */
export function reworkKind(...candidates: unknown[]): "rollback" | "hotfix" | null {
  for (const c of candidates) {
    if (typeof c !== "string") continue;
    const v = c.trim().toLowerCase();
    if (v === "rollback" || v === "hotfix") return v;
  }
  return null;
}
