/**
 * @module
 * OpsLevel's deploy webhook, `POST /integrations/deploy/:id`, and its service-creation webhook,
 * `POST /integrations/opslevel/:id/service-created`: the id in the URL is the credential.
 */
import { Hono } from "hono";
import { isKnownService } from "../../catalog/known-services";
import { upsertService } from "../../catalog/catalog";
import type { AppEnv } from "../../env";
import { readJsonBody } from "../../http/body";
import { ApiError } from "../../http/errors";
import { validate } from "../../http/validate";
import { submit } from "../../ingest/client";
import { normalizeOpsLevelDeploy, opslevelDeploySchema } from "./deploy";
import { opslevelServiceCreatedSchema, serviceFromContext } from "./service-created";

export const opslevelRoutes = new Hono<AppEnv>();

opslevelRoutes.post("/integrations/deploy/:id", async (c) => {
  const raw = await readJsonBody(c.req.raw);
  const body = validate(opslevelDeploySchema, raw);
  const [reply, known] = await Promise.all([
    submit(c, c.req.param("id"), {
      vendor: "opslevel",
      credential: { kind: "id" },
      commands: [{ op: "record", event: normalizeOpsLevelDeploy(body, raw), mode: "first" }],
    }),
    isKnownService(c.env.DB, body.service),
  ]);
  if (!reply.ok) throw ApiError.of(404, "no deploy integration with this id");
  if (reply.results[0]?.result === "duplicate") {
    return c.json({ result: "duplicate_deploy", message: "Deploy not created due to existing deploy with identical dedup_id" }, 202);
  }
  if (!known) {
    return c.json(
      { result: "no_service_found", message: `No service found matching alias '${body.service}'. Recording '${body.service}' as a suggestion.` },
      202,
    );
  }
  return c.json({ result: "ok" }, 202);
});

/** The service-creation webhook upserts the catalog entry it describes. */
opslevelRoutes.post("/integrations/opslevel/:id/service-created", async (c) => {
  const { slug, ...entry } = serviceFromContext(validate(opslevelServiceCreatedSchema, await readJsonBody(c.req.raw)));
  // Nothing to record, but the object still says whether this id is a live OpsLevel integration.
  const reply = await submit(c, c.req.param("id"), { vendor: "opslevel", credential: { kind: "id" }, commands: [] });
  if (!reply.ok) throw ApiError.of(404, "no OpsLevel integration with this id");
  await upsertService(c.env.DB, slug, entry, "merge");
  return c.json({ result: "ok" }, 202);
});
