/**
 * @module
 * Apache DevLake's incoming webhook: `POST {prefix}/plugins/webhook/:id/deployments`,
 * `.../issues` and `.../issue/:issueKey/close`, also under `/plugins/webhook/connections/:id/`,
 * with `{prefix}` empty, `/api` or `/api/rest`. Replies and errors take DevLake's shapes.
 */
import { Hono, type Context } from "hono";
import type { AppEnv } from "../../env";
import { readJsonBody } from "../../http/body";
import { ApiError, type ErrorFormat } from "../../http/errors";
import { validate } from "../../http/validate";
import { submit } from "../../ingest/client";
import type { Command, CommandResult } from "../../ingest/protocol";
import { sha256Hex } from "../../lib/crypto";
import { readBodyAuthenticated, unauthorized } from "../credentials";
import { devlakeSecret } from "./credential";
import { devlakeDeploymentSchema, normalizeDevLakeDeployment } from "./deployment";
import { devlakeIssueSchema, normalizeDevLakeIssue } from "./issue";

/** DevLake's error body: `{"success":false,"message":...,"causes":[...]}`. */
export const devlakeErrorFormat: ErrorFormat = (error) => ({
  success: false,
  message: error.message,
  causes: error.problems.map((p) => p.detail),
});

/** DevLake's success body, byte for byte. */
const SUCCESS = { code: 0, success: true, message: "success", causes: null, data: null };

const refused = () => unauthorized("unauthorized: the webhook needs a valid Bearer token or Basic auth password");

/**
 * Refuses a request without a secret before reading its body, builds its commands, and sends
 * them with the secret's hash to the integration named in the path. Unknown id, wrong secret and
 * another integration's secret are the same 401, so no reply tells whether an id exists, and a
 * refused body is answered only once the secret holds.
 */
async function submitWithSecret(c: Context<AppEnv>, build: () => Command[] | Promise<Command[]>): Promise<CommandResult[]> {
  const secret = devlakeSecret(c.req.raw);
  if (!secret) throw refused();
  const id = c.req.param("id") ?? "";
  const credential = { kind: "secret", hash: await sha256Hex(secret) } as const;
  const commands = await readBodyAuthenticated(c, id, "devlake", credential, refused, build);
  const reply = await submit(c, id, { vendor: "devlake", credential, commands });
  if (!reply.ok) throw refused();
  return reply.results;
}

export const devlakeRoutes = new Hono<AppEnv>();

// Every answer under DevLake's paths takes DevLake's error shape, a wrong method's 405 and an
// unknown path's 404 included, which no route handler would see.
for (const prefix of ["", "/api", "/api/rest"]) {
  devlakeRoutes.use(`${prefix}/plugins/webhook/*`, async (c, next) => {
    c.set("errorFormat", devlakeErrorFormat);
    await next();
  });
}

for (const prefix of ["", "/api", "/api/rest"]) {
  for (const base of [`${prefix}/plugins/webhook/:id`, `${prefix}/plugins/webhook/connections/:id`]) {
    devlakeRoutes.post(`${base}/deployments`, async (c) => {
      await submitWithSecret(c, async () => {
        const raw = await readJsonBody(c.req.raw);
        const body = validate(devlakeDeploymentSchema, raw);
        return [{ op: "record", event: await normalizeDevLakeDeployment(body, raw, new Date().toISOString()), mode: "update" }];
      });
      return c.json(SUCCESS, 200);
    });

    devlakeRoutes.post(`${base}/issues`, async (c) => {
      await submitWithSecret(c, async () => {
        const raw = await readJsonBody(c.req.raw);
        const body = validate(devlakeIssueSchema, raw);
        return [{ op: "record", event: normalizeDevLakeIssue(body, raw, new Date().toISOString()), mode: "update" }];
      });
      return c.json(SUCCESS, 200);
    });

    devlakeRoutes.post(`${base}/issue/:issueKey/close`, async (c) => {
      const issueKey = c.req.param("issueKey");
      const [result] = await submitWithSecret(c, () => [{ op: "resolve", dedup_key: issueKey, at: new Date().toISOString() }]);
      if (result?.result === "not_found") throw ApiError.of(404, `no issue with key ${JSON.stringify(issueKey)}`);
      return c.json(SUCCESS, 200);
    });
  }
}
