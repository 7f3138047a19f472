import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("healthz", async () => {
  const res = await SELF.fetch("https://x/healthz?deep=1");
  expect(await res.json()).toEqual({ status: "ok", d1: "ok" });
});
