/**
 * @module
 * PagerDuty V3 webhooks, `POST /webhooks/pagerduty/:id`: the body's HMAC signature is the
 * credential, verified before the body is judged; incident triggered/acknowledged/resolved events
 * update one incident each, everything else is acknowledged and ignored.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { parseJsonBody, readRawBody } from "../../http/body";
import { validate } from "../../http/validate";
import { answerSigned, unauthorized } from "../credentials";
import { outcome } from "../outcome";
import { isTracked, normalizePagerDutyIncident, pagerdutyEnvelopeSchema, pagerdutyIncidentSchema } from "./incident";
import { pagerdutySignatures } from "./signature";

const SIGNATURE_HEADER = "X-PagerDuty-Signature";

export const pagerdutyRoutes = new Hono<AppEnv>();

pagerdutyRoutes.post("/webhooks/pagerduty/:id", async (c) => {
  const bytes = await readRawBody(c.req.raw);
  const signatures = pagerdutySignatures(c.req.header(SIGNATURE_HEADER) ?? null);
  if (signatures.length === 0) throw unauthorized(`missing or malformed ${SIGNATURE_HEADER} header (expected v1=<hex>)`);
  const signed = { id: c.req.param("id"), vendor: "pagerduty", body: bytes, signatures, header: SIGNATURE_HEADER } as const;

  return answerSigned(c, signed, () => {
    const raw = parseJsonBody(bytes);
    const eventType = validate(pagerdutyEnvelopeSchema, raw).event.event_type;
    if (!isTracked(eventType)) return { reply: c.json({ result: "ignored", message: `event_type ${JSON.stringify(eventType)} is not tracked` }, 202) };
    const canonical = normalizePagerDutyIncident(validate(pagerdutyIncidentSchema, raw), raw);
    return {
      commands: [{ op: "record", event: canonical, mode: "update" }],
      delivery_id: c.req.header("X-Webhook-Id") ?? null,
      answer: ([result]) => c.json({ result: outcome(result) }, 202),
    };
  });
});
