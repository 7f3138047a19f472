/**
 * Helpers shared by the integration tests: they drive the Worker through `SELF.fetch` and run
 * Durable Object alarms for real.
 */
import { runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, vi } from "vitest";

export const ADMIN = { authorization: "Bearer test-admin-token" };
export const BASE = "https://receiver.test";

/** A request to the Worker. JSON bodies are serialised; strings are sent as they are. */
export async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" || body instanceof Uint8Array ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)["content-type"] ??= "application/json";
  }
  return SELF.fetch(`${BASE}${path}`, init);
}

/** Calls and parses a JSON reply. */
export async function callJson<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await call(method, path, body, headers);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: (text ? JSON.parse(text) : null) as T };
}

export interface CreatedIntegration {
  id: string;
  secret: string;
  vendor: string;
  urls: Record<string, string>;
}

/** Creates an integration through the admin API. */
export async function createIntegration(vendor: string, extra: Record<string, unknown> = {}): Promise<CreatedIntegration> {
  const res = await callJson<CreatedIntegration>("POST", "/api/v1/integrations", { vendor, name: `${vendor} test`, ...extra }, ADMIN);
  expect(res.status, res.text).toBe(201);
  return res.json;
}

/** Puts a service into the catalog. */
export async function putService(slug: string, body: Record<string, unknown>) {
  const res = await callJson("PUT", `/api/v1/services/${slug}`, body, ADMIN);
  expect(res.status, res.text).toBeLessThan(300);
  return res.json;
}

/** The integration's Durable Object stub. */
export function integrationStub(id: string) {
  return env.INTEGRATION.get(env.INTEGRATION.idFromName(id));
}

/** Runs the integration's alarm until its outbox is empty (bounded), so its events are in D1. */
export async function drain(id: string): Promise<void> {
  const stub = integrationStub(id);
  for (let i = 0; i < 50 && (await stub.pendingCount()) > 0; i++) {
    // After a failed drain (a test's D1 outage), the next attempt waits for its backoff.
    const wait = await runInDurableObject(stub, (_instance, state) => {
      const at = state.storage.sql.exec<{ value: number }>("SELECT value FROM meta WHERE key = 'drain_retry_at'").toArray()[0]?.value;
      return at === undefined ? 0 : at - Date.now();
    });
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 5));
    await runDurableObjectAlarm(stub);
  }
  expect(await stub.pendingCount()).toBe(0);
}

/** Counts rows of a D1 table, optionally for one integration. */
export async function countRows(table: string, integrationId?: string): Promise<number> {
  const stmt = integrationId
    ? env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE integration_id = ?`).bind(integrationId)
    : env.DB.prepare(`SELECT count(*) AS n FROM ${table}`);
  return (await stmt.first<{ n: number }>())!.n;
}

/**
 * Runs `during`, whose logged errors are expected: captured rather than printed, and checked
 * against `expected`.
 */
export async function withExpectedErrors(expected: RegExp, during: () => Promise<void>): Promise<void> {
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  let logged: string[];
  try {
    await during();
  } finally {
    logged = error.mock.calls.map((args) => String(args[0]));
    error.mockRestore();
  }
  expect(logged).toContainEqual(expect.stringMatching(expected));
}

/** Runs `during` with D1's `table` renamed away, so that what writes to it fails for real; the drain's failures logged are expected. */
export async function duringD1Outage(table: string, during: () => Promise<void>, expected = /^outbox drain failed/): Promise<void> {
  await env.DB.exec(`ALTER TABLE ${table} RENAME TO ${table}_outage`);
  await withExpectedErrors(expected, async () => {
    try {
      await during();
    } finally {
      await env.DB.exec(`ALTER TABLE ${table}_outage RENAME TO ${table}`);
    }
  });
}

export { env };
