import { describe, expect, it } from "vitest";
import documented from "./fixtures/opslevel/deploy.json";
import { ADMIN, callJson, countRows, createIntegration, drain } from "./helpers";

describe("cross-cutting HTTP behaviour", () => {
  it("answers /healthz without storage and /healthz?deep=1 through D1", async () => {
    expect((await callJson("GET", "/healthz")).json).toEqual({ status: "ok" });
    expect((await callJson("GET", "/healthz?deep=1")).json).toEqual({ status: "ok", d1: "ok" });
  });

  it("answers 405 with Allow for a known path and a wrong method", async () => {
    const { id } = await createIntegration("opslevel");
    const res = await callJson("GET", `/integrations/deploy/${id}`);
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(res.json.errors[0].detail).toContain("GET is not allowed here");
    expect((await callJson("PATCH", "/api/v1/integrations", {}, ADMIN)).headers.get("allow")).toBe("POST, GET");
  });

  it("answers 404 naming an unknown route", async () => {
    const res = await callJson("GET", "/nowhere");
    expect(res.status).toBe(404);
    expect(res.json.errors[0].detail).toBe("no route GET /nowhere");
  });

  it("refuses a body over 1 MiB with 413, by declared length and by actual size", async () => {
    const { id } = await createIntegration("opslevel");
    const big = JSON.stringify({ ...documented, description: "x".repeat(1024 * 1024) });
    const declared = await callJson("POST", `/integrations/deploy/${id}`, big);
    expect(declared.status).toBe(413);
    expect(declared.json.errors[0].detail).toBe("request body is larger than 1048576 bytes");
    // A streamed body declares no length: the reader stops at the limit.
    const stream = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(big));
        controller.close();
      },
    });
    const { SELF } = await import("cloudflare:test");
    const res = await SELF.fetch(`https://receiver.test/integrations/deploy/${id}`, { method: "POST", body: stream, headers: { "content-type": "application/json" } });
    expect(res.status).toBe(413);
    await drain(id);
    expect(await countRows("deployments", id)).toBe(0);
  });
});

describe("bad input stores nothing and names the problem", () => {
  const cases: [string, string | unknown, number, string][] = [
    ["truncated JSON", '{"service": "a", "description": "b", "deployed_at": "2019-02-01 13:28:33", "deployer": {"name": "x"', 400, "malformed JSON"],
    ["trailing comma", '{"service": "a",}', 400, "position 16 (line 1 column 17)"],
    ["not JSON at all", "hello", 400, "position 0 (line 1 column 1)"],
    ["empty body", "", 400, "malformed JSON: the request body is empty"],
    ["not UTF-8", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), 400, "not valid UTF-8"],
    ["an array", [documented], 400, "expected object"],
    ["a string", '"hello"', 400, "expected object"],
    ["null", "null", 400, "the request body must be a JSON object"],
    ["service a number", { ...documented, service: 42 }, 400, "service: "],
    ["deployer a string", { ...documented, deployer: "Michael" }, 400, "deployer: "],
    ["commit an array", { ...documented, commit: [1] }, 400, "commit: "],
    ["an impossible date", { ...documented, deployed_at: "2019-13-45" }, 400, 'deployed_at: is not a valid time: "2019-13-45"'],
    ["a date that is not one", { ...documented, deployed_at: "last tuesday" }, 400, "deployed_at: is not a valid time"],
    ["an impossible commit date", { ...documented, commit: { ...documented.commit, date: "2019-02-30 10:00:00" } }, 400, "commit.date: is not a valid time"],
    ["deployed_at as an object", { ...documented, deployed_at: { at: 1 } }, 400, "deployed_at: "],
    ["JSON nested deeper than any payload", { ...documented, x: JSON.parse("[".repeat(5000) + "]".repeat(5000)) }, 400, "JSON nests deeper than 64 levels at position"],
    ["a huge string over the body limit", { ...documented, service: "s".repeat(2 * 1024 * 1024) }, 413, "larger than"],
  ];

  it.each(cases)("%s", async (_name, body, status, detail) => {
    const { id } = await createIntegration("opslevel");
    const res = await callJson("POST", `/integrations/deploy/${id}`, body);
    expect(res.status).toBe(status);
    expect(res.json.errors[0].status).toBe(status);
    expect(res.json.errors.map((e: any) => e.detail).join(" | ")).toContain(detail);
    await drain(id);
    expect(await countRows("deployments", id)).toBe(0);
  });
});
