/**
 * @module
 * PagerDuty V3 webhooks, `POST /webhooks/pagerduty/:id`: the body's HMAC signature (verified
 * before it is parsed) is the credential; incident triggered/acknowledged/resolved events update
 * one incident each, everything else is acknowledged and ignored.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { parseJsonBody, readRawBody } from "../../http/body";
import { validate } from "../../http/validate";
import { submit } from "../../ingest/client";
import { acceptedOrUnauthorized, unauthorized, verifySignature } from "../credentials";
import { outcome } from "../outcome";
import { isTracked, normalizePagerDutyIncident, pagerdutyEnvelopeSchema, pagerdutyIncidentSchema } from "./incident";
import { pagerdutySignatures } from "./signature";

const SIGNATURE_HEADER = "X-PagerDuty-Signature";

export const pagerdutyRoutes = new Hono<AppEnv>();

pagerdutyRoutes.post("/webhooks/pagerduty/:id", async (c) => {
  const id = c.req.param("id");
  const bytes = await readRawBody(c.req.raw);
  const signatures = pagerdutySignatures(c.req.header(SIGNATURE_HEADER) ?? null);
  if (signatures.length === 0) throw unauthorized(`missing or malformed ${SIGNATURE_HEADER} header (expected v1=<hex>)`);
  await verifySignature(c.env, id, "pagerduty", bytes, signatures, SIGNATURE_HEADER);

  const raw = parseJsonBody(bytes);
  const eventType = validate(pagerdutyEnvelopeSchema, raw).event.event_type;
  if (!isTracked(eventType)) return c.json({ result: "ignored", message: `event_type ${JSON.stringify(eventType)} is not tracked` }, 202);
  const canonical = normalizePagerDutyIncident(validate(pagerdutyIncidentSchema, raw), raw);
  const reply = await submit(c, id, {
    vendor: "pagerduty",
    credential: { kind: "signature" },
    delivery_id: c.req.header("X-Webhook-Id") ?? null,
    commands: [{ op: "record", event: canonical, mode: "update" }],
  });
  const [result] = acceptedOrUnauthorized(reply, `${SIGNATURE_HEADER} does not match this request`);
  return c.json({ result: outcome(result) }, 202);
});
