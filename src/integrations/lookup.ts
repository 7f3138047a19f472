/**
 * @module
 * Finds the integration a secret belongs to, for vendor routes whose URL carries no integration
 * id (DevGrid's `x-api-key`, Harness SEI's bearer token).
 */
import { and, eq, gt, isNull, or } from "drizzle-orm";
import { database } from "../db/client";
import { integrations } from "../db/schema";
import type { Vendor } from "../ingest/protocol";
import { sha256Hex } from "../lib/crypto";

/** A live integration found by its secret, with the hash its Durable Object checks again. */
export interface SecretMatch {
  id: string;
  hash: string;
}

/**
 * The live integration of `vendor` whose secret is `secret`, or null. The lookup goes by the
 * secret's SHA-256 through the indexes of the current secret and of the one a roll replaced
 * (during its grace period), so the secret itself is never compared or stored;
 * the integration's Durable Object re-checks the hash in constant time and refuses a revoked
 * integration at once, even before the deletion reaches D1.
 */
export async function findIntegrationBySecret(d1: D1Database, vendor: Vendor, secret: string | null): Promise<SecretMatch | null> {
  if (!secret) return null;
  const hash = await sha256Hex(secret);
  const [row] = await database(d1)
    .select({ id: integrations.id })
    .from(integrations)
    .where(
      and(
        or(eq(integrations.secretHash, hash), and(eq(integrations.previousSecretHash, hash), gt(integrations.previousSecretExpiresAt, new Date().toISOString()))),
        eq(integrations.vendor, vendor),
        isNull(integrations.deletedAt),
      ),
    )
    .limit(1);
  return row ? { id: row.id, hash } : null;
}
