/**
 * @module
 * GitHub webhooks, `POST /webhooks/github/:id`: the body's HMAC signature is the credential,
 * verified before the body is judged; `deployment_status` events update deployments, `ping` is
 * answered, everything else is acknowledged and ignored.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { parseJsonBody, readRawBody } from "../../http/body";
import { ApiError } from "../../http/errors";
import { validate } from "../../http/validate";
import { answerSigned, unauthorized } from "../credentials";
import { outcome } from "../outcome";
import { githubDeploymentStatusSchema, normalizeGitHubDeploymentStatus } from "./deployment-status";
import { githubSignatures } from "./signature";

const SIGNATURE_HEADER = "X-Hub-Signature-256";

export const githubRoutes = new Hono<AppEnv>();

githubRoutes.post("/webhooks/github/:id", async (c) => {
  const bytes = await readRawBody(c.req.raw);
  const signatures = githubSignatures(c.req.header(SIGNATURE_HEADER) ?? null);
  if (signatures.length === 0) throw unauthorized(`missing or malformed ${SIGNATURE_HEADER} header (expected sha256=<hex>)`);
  const signed = { id: c.req.param("id"), vendor: "github", body: bytes, signatures, header: SIGNATURE_HEADER } as const;

  return answerSigned(c, signed, () => {
    const event = c.req.header("X-GitHub-Event");
    if (!event) throw ApiError.of(400, "missing X-GitHub-Event header");
    const raw = parseJsonBody(bytes);
    if (event === "ping") return { reply: c.json({ result: "ok" }, 200) };
    if (event !== "deployment_status") return { reply: c.json({ result: "ignored", message: `event ${JSON.stringify(event)} is not tracked` }, 202) };
    const canonical = normalizeGitHubDeploymentStatus(validate(githubDeploymentStatusSchema, raw), raw);
    if (canonical === null) return { reply: c.json({ result: "ignored", message: "inactive statuses do not change a deployment" }, 202) };
    return {
      commands: [{ op: "record", event: canonical, mode: "update" }],
      delivery_id: c.req.header("X-GitHub-Delivery") ?? null,
      answer: ([result]) => c.json({ result: outcome(result) }, 202),
    };
  });
});
