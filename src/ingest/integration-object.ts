/**
 * @module
 * `IntegrationObject`: one Durable Object per integration, and its RPC surface. Each delivery is
 * one call to `ingest`: credential, rate limit, then the ledger applies its commands and the
 * delivery log counts them in one synchronous transaction, and the outbox drains them to D1 from
 * the alarm.
 */
import { DurableObject } from "cloudflare:workers";
import { configOf } from "../config";
import type { Env } from "../env";
import { ConfigStore } from "./config-store";
import { DeliveryLog, type DeliveryLedger, type Rejection } from "./delivery-log";
import { Ledger } from "./ledger";
import { Outbox } from "./outbox";
import type { Credential, IngestReply, IngestRequest, IntegrationConfig, RateLimit, SecretRoll, Vendor } from "./protocol";
import { RateLimiter } from "./rate-limit";
import { signedByAny } from "./signature";

export class IntegrationObject extends DurableObject<Env> {
  private readonly config: ConfigStore;
  private readonly outbox: Outbox;
  private readonly ledger: Ledger;
  private readonly limiter: RateLimiter;
  private readonly log: DeliveryLog;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.config = new ConfigStore(ctx.storage.sql);
    this.outbox = new Outbox(ctx.storage, env);
    this.ledger = new Ledger(ctx.storage.sql, this.outbox, () => configOf(env).environmentAliases);
    this.limiter = new RateLimiter(configOf(env).rateLimit);
    this.log = new DeliveryLog(ctx.storage.sql);
  }

  /** Stores the integration's config; called once when the integration is created. */
  configure(config: IntegrationConfig): void {
    this.config.configure(config);
  }

  /** Replaces the secret, the old one honoured for `grace_ms`; false when unknown or revoked. */
  rollSecret(roll: SecretRoll): boolean {
    return this.config.roll(roll);
  }

  /** The integration's own rate limit; null for the deployment's default. */
  rateLimit(): RateLimit | null {
    return this.config.load()?.value.rate_limit ?? null;
  }

  /** Revokes the integration: every later request is refused. */
  revoke(): void {
    this.config.revoke();
  }

  /** Whether one of `signatures` signs `body` for this live integration of `vendor`, without storing anything. */
  async verifySignature(vendor: Vendor, body: Uint8Array, signatures: string[]): Promise<boolean> {
    // The keys are read before the HMAC's await, and nothing read here is written after it.
    return signedByAny(this.config.signingKeys(vendor), body, signatures);
  }

  /** Whether `credential` (a secret's hash, or the id alone) admits a request to this live integration of `vendor`, storing and spending nothing. */
  verifyCredential(vendor: Vendor, credential: Credential): boolean {
    const config = this.config.live(vendor);
    return config !== null && credential.kind !== "signature" && this.config.admits(config, credential);
  }

  /**
   * Accepts one delivery: a signature is verified first (other requests may run during that
   * await), then credential, rate limit and the ledger's writes happen without a gap, and the
   * reply follows their commit, so an acknowledged event is never lost. Throws, having written
   * nothing, when applying the commands fails.
   */
  async ingest(request: IngestRequest): Promise<IngestReply> {
    const { credential } = request;
    if (credential.kind === "signature" && !(await this.verifySignature(request.vendor, credential.body, credential.signatures))) {
      return { ok: false, reason: "bad_credential" };
    }
    const reply = this.accept(request);
    if (reply.ok && reply.results.some((r) => r.seq !== null)) await this.outbox.scheduleDrain();
    return reply;
  }

  /** Keeps a rejection the route answered, for a live integration; for any other id, nothing. */
  recordRejection(rejection: Rejection): void {
    if (this.config.load()?.revoked === false) this.log.rejected(rejection, Date.now());
  }

  /** The delivery ledger and outbox depth; null for an integration nobody created. */
  deliveries(): DeliveryLedger | null {
    if (!this.config.load()) return null;
    return { ...this.log.report(), outbox: this.outbox.depth() };
  }

  /** How many accepted events are still waiting for D1. */
  pendingCount(): number {
    return this.outbox.pending();
  }

  /** Drains the outbox to D1 in order; on failure keeps it and retries with backoff. */
  override async alarm(): Promise<void> {
    if (await this.outbox.drain()) this.ledger.forgetOldDeliveries();
  }

  private accept(request: IngestRequest): IngestReply {
    const config = this.config.live(request.vendor);
    if (!config) return { ok: false, reason: "unknown_integration" };
    if (!this.config.admits(config, request.credential)) return { ok: false, reason: "bad_credential" };
    // Only authenticated requests spend tokens, so nobody else can exhaust an integration's budget.
    const retryAfter = this.limiter.take(config.rate_limit);
    if (retryAfter > 0) return { ok: false, reason: "rate_limited", retry_after_seconds: retryAfter };
    const receivedAt = new Date().toISOString();
    const results = this.ctx.storage.transactionSync(() => {
      const applied = this.ledger.apply(config, request, receivedAt);
      this.log.accepted(applied, Date.parse(receivedAt));
      return applied;
    });
    return { ok: true, results };
  }
}
