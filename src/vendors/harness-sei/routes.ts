/**
 * @module
 * Harness SEI's `POST /v1/custom-cicd` with `Authorization: ApiKey <secret>` or
 * `Authorization: Bearer <secret>`. The key alone finds the integration.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { readJsonBody } from "../../http/body";
import { validate } from "../../http/validate";
import { submit } from "../../ingest/client";
import { findIntegrationBySecret } from "../../integrations/lookup";
import { unauthorized } from "../credentials";
import { seiApiKey } from "./credential";
import { normalizeSeiCustomCicd, seiCustomCicdSchema } from "./custom-cicd";

const refused = () => unauthorized("missing or invalid API key (Authorization: ApiKey <key> or Bearer <key>)", { "www-authenticate": "ApiKey, Bearer" });

export const harnessSeiRoutes = new Hono<AppEnv>();

harnessSeiRoutes.post("/v1/custom-cicd", async (c) => {
  const match = await findIntegrationBySecret(c.env.DB, "harness-sei", seiApiKey(c.req.raw));
  if (!match) throw refused();
  c.set("integrationId", match.id);
  const raw = await readJsonBody(c.req.raw);
  const events = normalizeSeiCustomCicd(validate(seiCustomCicdSchema, raw), raw);
  const reply = await submit(c, match.id, {
    vendor: "harness-sei",
    credential: { kind: "secret", hash: match.hash },
    commands: events.map((event) => ({ op: "record", event, mode: "first" })),
  });
  if (!reply.ok) throw refused();
  // SEI gets one success reply (docs/vendors/harness-sei.md): a repeated execution is acknowledged like a new one.
  return c.json({ result: "ok", id: reply.results[0]!.id }, 202);
});
