/**
 * The recompute's phases, each in its own module (`*.phase.ts`): a few rows in, the exact rows
 * out. They run from this one file, one after another, because each starts from empty derived
 * tables, and a phase over the whole history would see another's rows if they ran side by side.
 */
import { beforeEach } from "vitest";
import { clearDerived } from "./rows";
import "./changes.phase";
import "./lead-samples.phase";
import "./flags.phase";
import "./links.phase";
import "./failures.phase";
import "./rollups.phase";
import "./snapshots.phase";
import "./full-rebuild.phase";

beforeEach(clearDerived);
