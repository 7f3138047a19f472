// The OpenAPI document and the Grafana dashboard against `wrangler dev` with demo data. Node's
// test runner, not workerd: the OpenAPI 3.1 validator and ajv compile code, which workerd forbids.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import { admin, startServer } from "../../bench/lib/server.mjs";

const dashboard = JSON.parse(readFileSync(new URL("../../dashboards/grafana/dora.json", import.meta.url), "utf8"));

let server;
let doc;
let readToken;

const day = (offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

/** A few weeks of deployments (some failed, one rework) and incidents, as a pipeline would post them. */
async function seed(base) {
  const { id, secret } = await admin(base, "POST", "/api/v1/integrations", {
    vendor: "generic",
    name: "demo",
    rate_limit: { requests_per_second: 1000, burst: 1000 },
  });
  await admin(base, "PUT", "/api/v1/services/checkout", { name: "Checkout", team: "payments", aliases: [], repositories: [] });
  const post = async (kind, body) => {
    const res = await fetch(`${base}/webhooks/generic/${id}/${kind}`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 202, await res.text());
  };
  const deployments = [];
  for (let i = 1; i <= 20; i++) {
    const at = `${day(-3 * i)}T10:00:00Z`;
    deployments.push({
      dedup_key: `demo-${i}`,
      service: "checkout",
      environment: "production",
      status: i % 5 === 0 ? "failure" : "success",
      kind: i === 7 ? "hotfix" : null,
      started_at: `${day(-3 * i)}T09:50:00Z`,
      finished_at: at,
      commits: [{ sha: `${i}`.padStart(40, "a"), committed_at: `${day(-3 * i - 1)}T15:00:00Z` }],
    });
  }
  await post("deployments", { items: deployments });
  await post("incidents", {
    items: [4, 9, 16].map((i) => ({
      dedup_key: `INC-${i}`,
      service: "checkout",
      environment: "production",
      title: `Checkout errors after deploy ${i}`,
      created_at: `${day(-3 * i)}T11:00:00Z`,
      resolved_at: `${day(-3 * i)}T13:30:00Z`,
      links: { deployment_id: `demo-${i}` },
    })),
  });
  // The integration's object writes to D1 from its alarm: wait until every event is there.
  for (let tries = 0; ; tries++) {
    const [d, i] = await Promise.all([admin(base, "GET", "/api/v1/deployments?limit=500"), admin(base, "GET", "/api/v1/incidents?limit=500")]);
    if (d.items.length === 20 && i.items.length === 3) break;
    assert.ok(tries < 100, `events not stored: ${d.items.length} deployments, ${i.items.length} incidents`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await admin(base, "POST", "/api/v1/recompute?full=true");
  return (await admin(base, "POST", "/api/v1/tokens", { name: "grafana" })).token;
}

before(async () => {
  server = await startServer();
  readToken = await seed(server.base);
  doc = await (await fetch(`${server.base}/openapi.json`)).json();
});
after(() => server?.stop());

test("the document validates against the OpenAPI 3.1 schema", async () => {
  const validator = new Validator();
  const result = await validator.validate(doc);
  assert.deepEqual(result.errors ?? [], []);
  assert.equal(result.valid, true);
  assert.equal(validator.version, "3.1");
});

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
/** A schema of the document, with the document's components beside it so that its `$ref`s resolve. */
const compile = (schema) => ajv.compile({ ...schema, components: doc.components });

test("every request example validates against its JSON Schema in the document", () => {
  let examples = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const content = op.requestBody?.content?.["application/json"];
      if (!content) continue;
      const validate = compile(content.schema);
      for (const [name, example] of Object.entries(content.examples)) {
        examples++;
        assert.ok(validate(example.value), `${method} ${path} example ${name}: ${ajv.errorsText(validate.errors)}`);
      }
    }
  }
  assert.ok(examples > 20, `${examples} examples`);
});

test("every response example validates against its JSON Schema in the document", () => {
  let examples = 0;
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      for (const [status, response] of Object.entries(op.responses)) {
        const content = response.content?.["application/json"];
        if (content?.example === undefined) continue;
        examples++;
        const validate = compile(content.schema);
        assert.ok(validate(content.example), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`);
      }
    }
  }
  for (const example of doc.components.schemas.Error.examples) assert.ok(compile(doc.components.schemas.Error)(example));
  assert.ok(examples > 2, `${examples} examples`);
});

/** Grafana's variables and time macros, as a dashboard with the given filters would expand them. */
function expand(value, vars) {
  return value
    .replace(/\$\{__from:date:YYYY-MM-DD\}/g, day(-90))
    .replace(/\$\{__to:date:YYYY-MM-DD\}/g, day(1))
    .replace(/\$\{__from:date:iso\}/g, `${day(-90)}T00:00:00.000Z`)
    .replace(/\$\{__to:date:iso\}/g, new Date().toISOString())
    .replace(/\$\{(\w+)\}/g, (_, name) => {
      assert.ok(name in vars, `unknown variable ${name}`);
      return vars[name];
    });
}

const at = (value, selector) => selector.split(".").reduce((v, key) => (v !== null && typeof v === "object" && key in v ? v[key] : undefined), value);
const has = (value, selector) => {
  const parts = selector.split(".");
  const parent = parts.length === 1 ? value : at(value, parts.slice(0, -1).join("."));
  return parent !== null && typeof parent === "object" && parts[parts.length - 1] in parent;
};

/** Every Infinity query of the dashboard: panels, annotations and variables. */
function queries() {
  return [
    ...dashboard.panels.flatMap((p) => p.targets.map((t) => ({ where: `panel "${p.title}"`, target: t }))),
    ...dashboard.annotations.list.filter((a) => a.target).map((a) => ({ where: `annotation "${a.name}"`, target: a.target })),
    ...dashboard.templating.list.filter((v) => v.query?.infinityQuery).map((v) => ({ where: `variable "${v.name}"`, target: v.query.infinityQuery })),
  ];
}

test("the dashboard has the six metrics, their weekly series, the variables and the annotations", () => {
  const metrics = ["deployment_frequency", "change_lead_time", "change_failure_rate", "failed_deployment_recovery_time", "time_to_restore_service", "deployment_rework_rate"];
  for (const metric of metrics) {
    assert.ok(dashboard.panels.some((p) => p.targets.some((t) => t.url === "/api/v1/metrics" && t.root_selector === metric)), `${metric} stat`);
    assert.ok(
      dashboard.panels.some((p) => p.targets.some((t) => t.url === "/api/v1/metrics/timeseries" && t.columns.some((c) => c.selector.startsWith(`${metric}.`)))),
      `${metric} weekly series`,
    );
  }
  assert.deepEqual(dashboard.templating.list.map((v) => v.name).filter((n) => ["service", "team", "environment"].includes(n)), ["service", "team", "environment"]);
  assert.deepEqual(dashboard.annotations.list.filter((a) => a.target).map((a) => a.target.url), ["/api/v1/deployments", "/api/v1/incidents"]);
  for (const { where, target } of queries()) assert.equal(target.datasource.type, "yesoreyeram-infinity-datasource", where);
});

for (const vars of [
  { service: "", team: "", environment: "production", benchmark: "2023" },
  { service: "checkout", team: "", environment: "production", benchmark: "2021" },
  { service: "", team: "payments", environment: "production", benchmark: "2023" },
]) {
  test(`every query of the dashboard is a documented path that answers 200 with the fields it reads (${JSON.stringify(vars)})`, async () => {
    for (const { where, target } of queries()) {
      const op = doc.paths[target.url]?.get;
      assert.ok(op, `${where}: GET ${target.url} is not in the OpenAPI document`);
      const url = new URL(target.url, server.base);
      for (const { key, value } of target.url_options.params) url.searchParams.set(key, expand(value, vars));
      const res = await fetch(url, { headers: { authorization: `Bearer ${readToken}` } });
      const body = await res.json();
      assert.equal(res.status, 200, `${where}: ${url} ${JSON.stringify(body)}`);
      const validate = compile(op.responses["200"].content["application/json"].schema);
      assert.ok(validate(body), `${where}: the answer is not the documented one: ${ajv.errorsText(validate.errors)}`);

      const root = target.root_selector ? at(body, target.root_selector) : body;
      assert.ok(root !== null && typeof root === "object", `${where}: no ${target.root_selector} in ${url}`);
      const rows = Array.isArray(root) ? root : [root];
      assert.ok(rows.length > 0, `${where}: ${url} answered no rows with the demo data`);
      for (const row of rows) for (const column of target.columns) assert.ok(has(row, column.selector), `${where}: a row of ${url} has no ${column.selector}`);
      // With the demo data, what the panel plots is there, not only null.
      for (const column of target.columns) assert.ok(rows.some((row) => at(row, column.selector) !== null), `${where}: ${column.selector} is null in every row of ${url}`);
    }
  });
}
