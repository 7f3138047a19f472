/**
 * @module
 * Query parameters the read API shares: optional text, days, and the `[from, to)` window they make.
 */
import { z } from "zod";
import { ApiError } from "../http/errors";
import { parseTimestamp } from "../lib/time";
import { addDays, daysBetween } from "../metrics/calendar";

/** The longest window a query may ask for, and the one it gets when it names none. */
const MAX_WINDOW_DAYS = 3660;
const DEFAULT_WINDOW_DAYS = 30;

/** An optional parameter, null when absent or empty. */
export const queryText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v === "" ? null : v));

/** An optional `YYYY-MM-DD` parameter named `name`, null when absent or empty. */
export const day = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v === "") return null;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || parseTimestamp(v) === null) {
        ctx.addIssue({ code: "custom", message: `${name} must be a date YYYY-MM-DD: ${JSON.stringify(v).slice(0, 32)}` });
      }
      return v;
    });

/** The window `[from, to)`: by default the 30 days ending today. */
export function queryWindow(q: { from: string | null; to: string | null }, today: string): { from: string; to: string; days: number } {
  const to = q.to ?? addDays(today, 1);
  const from = q.from ?? addDays(to, -DEFAULT_WINDOW_DAYS);
  if (from >= to) throw ApiError.of(400, "from must be before to (the window is [from, to))", "from");
  const days = daysBetween(from, to);
  if (days > MAX_WINDOW_DAYS) throw ApiError.of(400, `the window may span at most ${MAX_WINDOW_DAYS} days`, "from");
  return { from, to, days };
}
