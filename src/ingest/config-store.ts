/**
 * @module
 * An integration's config and secrets as its Durable Object keeps them: creation, revocation, a
 * secret's roll with its grace period, and the check of a request's credential.
 */
import { timingSafeEqualHex } from "../lib/crypto";
import { createSchema, hasSchema, upgradeSchema } from "./object-schema";
import type { Credential, IntegrationConfig, OutboundChange, SecretRoll, Vendor } from "./protocol";

export interface LoadedConfig {
  value: IntegrationConfig;
  revoked: boolean;
}

export class ConfigStore {
  /** Read once per wake; undefined until then, null for an object nobody configured. */
  private cached: LoadedConfig | null | undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** Stores the integration's config; called once when the integration is created. */
  configure(config: IntegrationConfig): void {
    createSchema(this.sql);
    this.sql.exec("INSERT OR REPLACE INTO config (id, body, revoked) VALUES (1, ?, 0)", JSON.stringify(config));
    this.cached = { value: config, revoked: false };
  }

  /** The config, or null for an object nobody configured; upgrades an older object's tables on first read. */
  load(): LoadedConfig | null {
    if (this.cached === undefined) {
      if (!hasSchema(this.sql)) return (this.cached = null);
      upgradeSchema(this.sql);
      const row = this.sql.exec<{ body: string; revoked: number }>("SELECT body, revoked FROM config").toArray()[0];
      this.cached = row ? { value: JSON.parse(row.body) as IntegrationConfig, revoked: row.revoked === 1 } : null;
    }
    return this.cached;
  }

  /** The live config of an integration of `vendor`, or null when unknown, revoked or of another vendor. */
  live(vendor: Vendor): IntegrationConfig | null {
    const config = this.load();
    return config && !config.revoked && config.value.vendor === vendor ? config.value : null;
  }

  /** Revokes the integration: every later request is refused. */
  revoke(): void {
    this.sql.exec("UPDATE config SET revoked = 1");
    this.cached = undefined;
  }

  /**
   * Replaces the secret; the old one keeps working for `grace_ms`. A roll during a grace period
   * ends that period: only the secret being replaced stays valid. False when the integration is
   * unknown or revoked.
   */
  roll(roll: SecretRoll): boolean {
    const config = this.load();
    if (!config || config.revoked) return false;
    const current = config.value;
    const next: IntegrationConfig = {
      ...current,
      secret_hash: roll.secret_hash,
      ...(roll.signing_key === undefined ? {} : { signing_key: roll.signing_key }),
      previous:
        roll.grace_ms > 0
          ? { secret_hash: current.secret_hash, ...(current.signing_key === undefined ? {} : { signing_key: current.signing_key }), expires_at: Date.now() + roll.grace_ms }
          : null,
    };
    this.save(next);
    return true;
  }

  /** Applies a change of outbound settings; false when the integration is unknown or revoked. */
  changeOutbound(change: OutboundChange): boolean {
    const config = this.load();
    if (!config || config.revoked) return false;
    this.save({ ...config.value, ...change });
    return true;
  }

  /**
   * The keys that may sign this integration's requests: the current one, and the one it replaced
   * while its grace period lasts. Empty when the integration is unknown, revoked, of another
   * vendor or not a signing one: the caller cannot tell which.
   */
  signingKeys(vendor: Vendor): string[] {
    const config = this.live(vendor);
    if (config?.signing_key === undefined) return [];
    const previous = this.livePrevious(config);
    return [config.signing_key, ...(previous?.signing_key === undefined ? [] : [previous.signing_key])];
  }

  /**
   * Whether a request's credential admits it. A signature was verified over the body before this
   * synchronous check, which only confirms that the integration still signs.
   */
  admits(config: IntegrationConfig, credential: Credential): boolean {
    if (credential.kind === "secret") return this.secretMatches(config, credential.hash);
    if (credential.kind === "signature") return config.signing_key !== undefined;
    return true;
  }

  /** Whether `hash` is the current secret's, or the previous one's during its grace period; both compared in constant time. */
  private secretMatches(config: IntegrationConfig, hash: string): boolean {
    const current = timingSafeEqualHex(hash, config.secret_hash);
    const previous = config.previous ? timingSafeEqualHex(hash, config.previous.secret_hash) : false;
    return current || (previous && this.livePrevious(config) !== null);
  }

  /** The replaced secret while its grace period lasts; once expired it is erased, signing key and all. */
  private livePrevious(config: IntegrationConfig) {
    if (!config.previous) return null;
    if (Date.now() < config.previous.expires_at) return config.previous;
    this.save({ ...config, previous: null });
    return null;
  }

  private save(config: IntegrationConfig): void {
    this.sql.exec("UPDATE config SET body = ?", JSON.stringify(config));
    this.cached = { value: config, revoked: this.cached?.revoked ?? false };
  }
}
