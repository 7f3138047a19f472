/**
 * @module
 * zod validation whose failures name each offending field.
 */
import type { z } from "zod";
import { ApiError, type Problem } from "./errors";

const MISSING = "param is missing or the value is empty";

function isMissing(issue: z.core.$ZodIssue): boolean {
  if (issue.code === "invalid_type" || issue.code === "invalid_union" || issue.code === "invalid_value") {
    return issue.input === undefined || issue.input === null;
  }
  return issue.code === "too_small" && issue.origin === "string" && issue.minimum === 1;
}

/** Turns zod issues into problems: `param is missing or the value is empty: deployed_at`, etc. */
export function problemsOf(error: { issues: readonly z.core.$ZodIssue[] }): Problem[] {
  return error.issues.map((issue) => {
    const field = issue.path.map(String).join(".") || null;
    if (issue.message === MISSING) {
      return field ? { field, detail: `${MISSING}: ${field}` } : { field, detail: "the request body must be a JSON object" };
    }
    const named = field === null || issue.message.startsWith(`${field} `);
    return { field, detail: named ? issue.message : `${field}: ${issue.message}` };
  });
}

/**
 * Validates `data` against `schema`, or throws a 400 listing every problem.
 * @example validate(z.object({ name: z.string() }), {}) // throws "param is missing or the value is empty: name"
 */
export function validate<S extends z.ZodType>(schema: S, data: unknown): z.output<S> {
  const result = schema.safeParse(data, {
    error: (issue) => (isMissing(issue as z.core.$ZodIssue) ? MISSING : undefined),
  });
  if (!result.success) throw new ApiError(400, problemsOf(result.error));
  return result.data;
}
