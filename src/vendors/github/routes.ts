/**
 * @module
 * GitHub webhooks, `POST /webhooks/github/:id`: the body's HMAC signature (verified before it is
 * parsed) is the credential; `deployment_status` events update deployments, `ping` is answered,
 * everything else is acknowledged and ignored.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { parseJsonBody, readRawBody } from "../../http/body";
import { ApiError } from "../../http/errors";
import { validate } from "../../http/validate";
import { submit } from "../../ingest/client";
import { acceptedOrUnauthorized, unauthorized, verifySignature } from "../credentials";
import { outcome } from "../outcome";
import { githubDeploymentStatusSchema, normalizeGitHubDeploymentStatus } from "./deployment-status";
import { githubSignatures } from "./signature";

const SIGNATURE_HEADER = "X-Hub-Signature-256";

export const githubRoutes = new Hono<AppEnv>();

githubRoutes.post("/webhooks/github/:id", async (c) => {
  const id = c.req.param("id");
  const bytes = await readRawBody(c.req.raw);
  const signatures = githubSignatures(c.req.header(SIGNATURE_HEADER) ?? null);
  if (signatures.length === 0) throw unauthorized(`missing or malformed ${SIGNATURE_HEADER} header (expected sha256=<hex>)`);
  await verifySignature(c.env, id, "github", bytes, signatures, SIGNATURE_HEADER);

  const event = c.req.header("X-GitHub-Event");
  if (!event) throw ApiError.of(400, "missing X-GitHub-Event header");
  const raw = parseJsonBody(bytes);
  if (event === "ping") return c.json({ result: "ok" }, 200);
  if (event !== "deployment_status") return c.json({ result: "ignored", message: `event ${JSON.stringify(event)} is not tracked` }, 202);

  const canonical = normalizeGitHubDeploymentStatus(validate(githubDeploymentStatusSchema, raw), raw);
  if (canonical === null) return c.json({ result: "ignored", message: "inactive statuses do not change a deployment" }, 202);
  const reply = await submit(c, id, {
    vendor: "github",
    credential: { kind: "signature" },
    delivery_id: c.req.header("X-GitHub-Delivery") ?? null,
    commands: [{ op: "record", event: canonical, mode: "update" }],
  });
  const [result] = acceptedOrUnauthorized(reply, `${SIGNATURE_HEADER} does not match this request`);
  return c.json({ result: outcome(result) }, 202);
});
