/**
 * @module
 * `GET /openapi.json` and the interactive reference at `/docs`, whose Swagger UI files the Worker
 * serves itself, so the reference works offline and with no third-party origin.
 */
import { Hono } from "hono";
import bundle from "swagger-ui-dist/swagger-ui-bundle.js";
import css from "swagger-ui-dist/swagger-ui.css";
import type { AppEnv } from "../env";
import { openApiDocument } from "./document";

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>DORA edge receiver API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`;

// A file of its own rather than an inline script, so the page works under a strict CSP.
const INIT = `window.ui = SwaggerUIBundle({
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
  tryItOutEnabled: true,
});
`;

/** The pinned files change only with the package, so browsers may keep them a day. */
const ASSET = "public, max-age=86400";

export const openApiRoutes = new Hono<AppEnv>();

openApiRoutes.get("/openapi.json", (c) => c.json(openApiDocument()));
openApiRoutes.get("/docs", (c) => c.html(PAGE));
openApiRoutes.get("/docs/init.js", (c) => c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": ASSET }));
openApiRoutes.get("/docs/swagger-ui-bundle.js", (c) => c.body(bundle, 200, { "content-type": "text/javascript; charset=utf-8", "cache-control": ASSET }));
openApiRoutes.get("/docs/swagger-ui.css", (c) => c.body(css, 200, { "content-type": "text/css; charset=utf-8", "cache-control": ASSET }));
