// Creates .dev.vars from .dev.vars.example on first run, so `npm run dev` works on a fresh clone.
import { copyFileSync, existsSync } from "node:fs";

if (!existsSync(".dev.vars")) {
  copyFileSync(".dev.vars.example", ".dev.vars");
  console.log("Created .dev.vars from .dev.vars.example (ADMIN_TOKEN=dev-admin-token-change-me)");
}
