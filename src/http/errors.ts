/**
 * @module
 * Rejections that name the problem, and the shapes they are written in.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One thing wrong with a request; `field` is the dotted path of the offending field, if any. */
export interface Problem {
  field: string | null;
  detail: string;
}

/** A 4xx (or 503) answer with the problems that caused it. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly problems: Problem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(problems.map((p) => p.detail).join("; "));
  }

  /** A rejection with a single problem. */
  static of(status: ContentfulStatusCode, detail: string, field: string | null = null): ApiError {
    return new ApiError(status, [{ field, detail }]);
  }
}

/** Writes an `ApiError` as a vendor's error body. */
export type ErrorFormat = (error: ApiError) => unknown;

const STATUS_TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Payload Too Large",
  429: "Too Many Requests",
  503: "Service Unavailable",
};

/** `deployed_at` -> `Deployed at Error`, as OpsLevel titles its field errors. */
function fieldTitle(field: string): string {
  const words = field.split(".").pop()!.replace(/_/g, " ");
  return `${words.charAt(0).toUpperCase()}${words.slice(1)} Error`;
}

/**
 * The error shape of OpsLevel and of this product's own API:
 * `{"errors":[{"status","title","detail"}]}`.
 */
export const standardErrorFormat: ErrorFormat = (error) => ({
  errors: error.problems.map((p) => ({
    status: error.status,
    title: p.field ? fieldTitle(p.field) : (STATUS_TITLES[error.status] ?? "Error"),
    detail: p.detail,
  })),
});
