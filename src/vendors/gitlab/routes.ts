/**
 * @module
 * GitLab webhooks, `POST /webhooks/gitlab/:id`: `X-Gitlab-Token` carries the secret; deployment
 * events update deployments, other events are acknowledged and ignored.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../../env";
import { readJsonBody } from "../../http/body";
import { validate } from "../../http/validate";
import { submit } from "../../ingest/client";
import { sha256Hex } from "../../lib/crypto";
import { acceptedOrUnauthorized, readBodyAuthenticated, unauthorized } from "../credentials";
import { optionalText } from "../fields";
import { outcome } from "../outcome";
import { gitlabDeploymentSchema, normalizeGitLabDeployment } from "./deployment";

const TOKEN_HEADER = "X-Gitlab-Token";
const INVALID = `invalid ${TOKEN_HEADER}`;

const envelopeSchema = z.looseObject({ object_kind: optionalText });

export const gitlabRoutes = new Hono<AppEnv>();

gitlabRoutes.post("/webhooks/gitlab/:id", async (c) => {
  const id = c.req.param("id");
  const token = c.req.header(TOKEN_HEADER);
  if (!token) throw unauthorized(`missing ${TOKEN_HEADER} header`);
  const credential = { kind: "secret", hash: await sha256Hex(token) } as const;
  const { kind, canonical } = await readBodyAuthenticated(c, id, "gitlab", credential, () => unauthorized(INVALID), async () => {
    const raw = await readJsonBody(c.req.raw);
    const kind = validate(envelopeSchema, raw).object_kind;
    return { kind, canonical: kind === "deployment" ? normalizeGitLabDeployment(validate(gitlabDeploymentSchema, raw), raw) : null };
  });
  const reply = await submit(c, id, {
    vendor: "gitlab",
    credential,
    delivery_id: c.req.header("Idempotency-Key") ?? null,
    // An ignored event is still sent, with nothing to do, so that its token is checked.
    commands: canonical ? [{ op: "record", event: canonical, mode: "update" }] : [],
  });
  const [result] = acceptedOrUnauthorized(reply, INVALID);
  if (!canonical) {
    const what = kind === "deployment" ? "this deployment status" : `object_kind ${JSON.stringify(kind)}`;
    return c.json({ result: "ignored", message: `${what} is not tracked` }, 202);
  }
  return c.json({ result: outcome(result) }, 202);
});
