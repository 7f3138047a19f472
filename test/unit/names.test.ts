import { describe, expect, it } from "vitest";
import { normalizeEnvironment, parseEnvironmentAliases } from "../../src/lib/environment";
import { repositoryKey } from "../../src/lib/repository";

describe("normalizeEnvironment", () => {
  it.each([
    ["Production", "production"],
    ["PROD", "production"],
    ["prd", "production"],
    ["live", "production"],
    ["Stage", "staging"],
    ["stg", "staging"],
    ["QA", "testing"],
    ["test", "testing"],
    ["dev", "development"],
    [" Canary-EU ", "canary-eu"],
  ])("%s -> %s", (raw, expected) => expect(normalizeEnvironment(raw)).toBe(expected));
});

describe("parseEnvironmentAliases", () => {
  it("maps extra names onto normalised ones, case-insensitively", () => {
    const aliases = parseEnvironmentAliases(" prod-EU:production, prod-us : prod ,");
    expect(aliases).toEqual({ "prod-eu": "production", "prod-us": "production" });
    expect(normalizeEnvironment("Prod-EU", aliases)).toBe("production");
    expect(normalizeEnvironment("prod-ap", aliases)).toBe("prod-ap");
  });

  it("is empty when unset", () => expect(parseEnvironmentAliases(undefined)).toEqual({}));

  it.each(["prod-eu", "prod-eu:", ":production", "a:b:c"])("refuses %j", (text) => expect(() => parseEnvironmentAliases(text)).toThrow(/ENVIRONMENT_ALIASES/));
});

describe("repositoryKey", () => {
  it("reads every form of one repository as one key", () => {
    const forms = [
      "acme/checkout",
      "Acme/Checkout/",
      "https://github.com/acme/checkout.git",
      "https://github.com/acme/checkout/",
      "http://user@github.com/acme/checkout",
      "git@github.com:acme/checkout.git",
      "ssh://git@github.com/acme/checkout.git",
      "github.com/acme/checkout",
    ];
    expect(new Set(forms.map(repositoryKey))).toEqual(new Set(["acme/checkout"]));
  });

  it("keeps nested groups and bare names", () => {
    expect(repositoryKey("https://gitlab.com/group/sub/project.git")).toBe("group/sub/project");
    expect(repositoryKey("repo-1")).toBe("repo-1");
  });
});
