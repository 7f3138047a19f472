/**
 * @module
 * An integration's outbound settings as the API takes and shows them: `forward` (the old tool's
 * URL for the same route, and headers to present there) and `notify` (a Slack-compatible or JSON
 * webhook for the few events people want to hear about at once).
 */
import { z } from "zod";
import type { ForwardConfig, NotifyConfig } from "../ingest/protocol";

/** Hosts plain http may reach: development and tests on this machine only. */
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An https URL, or http to loopback; no user or password in it (credentials go in headers, which are never shown). */
const outboundUrl = z
  .string()
  .max(2000)
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an absolute URL" });
      return;
    }
    if (url.username || url.password) ctx.addIssue({ code: "custom", message: "must not carry a user or password: put credentials in headers" });
    else if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) ctx.addIssue({ code: "custom", message: "must be https (plain http only to localhost, 127.0.0.1 or [::1])" });
    else if (url.protocol !== "https:" && url.protocol !== "http:") ctx.addIssue({ code: "custom", message: "must be https (plain http only to localhost, 127.0.0.1 or [::1])" });
  });

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
/** Headers the HTTP framing or the forwarded body itself decides. */
const RESERVED_HEADERS = new Set(["host", "content-length", "content-type", "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer"]);

const headersSchema = z
  .record(z.string(), z.string().max(4096).regex(/^[^\r\n\0]*$/, "must not contain line breaks"))
  .superRefine((headers, ctx) => {
    const names = Object.keys(headers);
    if (names.length > 20) ctx.addIssue({ code: "custom", message: "at most 20 headers" });
    for (const name of names) {
      if (!HEADER_NAME.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "is not a valid header name" });
      else if (RESERVED_HEADERS.has(name.toLowerCase())) ctx.addIssue({ code: "custom", path: [name], message: "is set by the forward itself and cannot be configured" });
    }
  });

export const forwardSchema = z
  .strictObject({ url: outboundUrl, headers: headersSchema.optional(), duplicates: z.boolean().optional() })
  .nullish()
  .transform((f): ForwardConfig | null | undefined => (f ? { url: f.url, headers: f.headers ?? {}, duplicates: f.duplicates ?? false } : f));

/** How long after a deployment an incident of the same service makes it a suspect, by default. */
const DEFAULT_SUSPECT_MINUTES = 60;

export const notifySchema = z
  .strictObject({
    url: outboundUrl,
    format: z.enum(["slack", "json"]),
    suspect_minutes: z.number().int().min(1).max(7 * 24 * 60).optional(),
  })
  .nullish()
  .transform((n): NotifyConfig | null | undefined => (n ? { url: n.url, format: n.format, suspect_minutes: n.suspect_minutes ?? DEFAULT_SUSPECT_MINUTES } : n));

/** The forward as the API shows it: the URL and the names of its headers, never their values. */
export function shownForward(forward: ForwardConfig | null | undefined) {
  return forward ? { url: forward.url, header_names: Object.keys(forward.headers), duplicates: forward.duplicates } : null;
}

/** What `GET` shows of an integration's outbound settings. */
export interface ShownOutbound {
  forward: ReturnType<typeof shownForward>;
  notify: NotifyConfig | null;
}
