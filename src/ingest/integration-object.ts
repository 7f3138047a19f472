/**
 * @module
 * `IntegrationObject`: one Durable Object per integration, and its RPC surface. Each delivery is
 * one call to `ingest`: credential, rate limit, then the ledger applies its commands and the
 * delivery log counts them and the outbound queue takes the delivery's forward and pushes, in one
 * synchronous transaction; the alarm drains the outbox to D1 and sends the outbound queue.
 */
import { DurableObject } from "cloudflare:workers";
import { configOf } from "../config";
import type { Env } from "../env";
import type { StoredRecord } from "../events/canonical";
import { Alarm } from "./alarm";
import { ConfigStore } from "./config-store";
import { DeliveryLog, type DeliveryLedger, type Rejection } from "./delivery-log";
import { Ledger } from "./ledger";
import { Outbound } from "./outbound";
import { Outbox } from "./outbox";
import { Pushes } from "./pushes";
import { shownForward, type ShownOutbound } from "../integrations/outbound-config";
import type { CommandResult, Credential, IngestReply, IngestRequest, IntegrationConfig, OutboundChange, RateLimit, SecretRoll, Vendor } from "./protocol";
import { RateLimiter } from "./rate-limit";
import { signedByAny } from "./signature";

/** The settings an object acts on that the API shows: its rate limit and outbound settings, no credential. */
export type IntegrationSettings = ShownOutbound & { rate_limit: RateLimit | null };

export class IntegrationObject extends DurableObject<Env> {
  private readonly config: ConfigStore;
  private readonly outbox: Outbox;
  private readonly ledger: Ledger;
  private readonly limiter: RateLimiter;
  private readonly log: DeliveryLog;
  private readonly outbound: Outbound;
  private readonly pushes: Pushes;
  private readonly alarmClock: Alarm;
  /** Our origin as the request being accepted gave it, for links in pushes. */
  private origin = "";

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const alarm = (this.alarmClock = new Alarm(ctx.storage));
    this.config = new ConfigStore(ctx.storage.sql);
    this.outbox = new Outbox(ctx.storage, env, alarm);
    this.outbound = new Outbound(ctx.storage.sql, alarm);
    this.pushes = new Pushes(ctx.storage.sql, this.outbound);
    const sink = {
      enqueue: (record: StoredRecord, previous: StoredRecord | null) => {
        this.outbox.enqueue(record);
        this.pushes.observe(record, previous, this.config.load()?.value.notify ?? null, this.origin);
      },
    };
    this.ledger = new Ledger(ctx.storage.sql, sink, () => configOf(env).environmentAliases);
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

  /** The settings the API shows; null for an integration nobody created. */
  settings(): IntegrationSettings | null {
    const config = this.config.load()?.value;
    if (!config) return null;
    return { rate_limit: config.rate_limit ?? null, forward: shownForward(config.forward), notify: config.notify ?? null };
  }

  /** Changes the outbound settings; pending sends to a removed target are dropped. Null when unknown or revoked. */
  async changeOutbound(change: OutboundChange): Promise<IntegrationSettings | null> {
    if (!this.config.changeOutbound(change)) return null;
    if (change.forward === null) this.outbound.dropPending("forward");
    if (change.notify === null) this.outbound.dropPending("notify");
    await this.outbound.schedule();
    return this.settings();
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
    this.origin = request.original?.origin ?? this.origin;
    const reply = this.accept(request);
    if (reply.ok && reply.results.some((r) => r.seq !== null)) await this.outbox.scheduleDrain();
    await this.outbound.scheduleQueued();
    return reply;
  }

  /** Keeps a rejection the route answered, for a live integration; for any other id, nothing. */
  recordRejection(rejection: Rejection): void {
    if (this.config.load()?.revoked === false) this.log.rejected(rejection, Date.now());
  }

  /** The delivery ledger and outbox depth; null for an integration nobody created. */
  deliveries(): DeliveryLedger | null {
    if (!this.config.load()) return null;
    return { ...this.log.report(), outbox: this.outbox.depth(), forwarding: this.outbound.report("forward"), pushes: this.outbound.report("notify") };
  }

  /** How many accepted events are still waiting for D1. */
  pendingCount(): number {
    return this.outbox.pending();
  }

  /** Drains the outbox to D1 in order, then sends what the outbound queue has due; each retries with backoff. */
  override async alarm(info?: AlarmInvocationInfo): Promise<void> {
    // The runtime passes `info`; a direct call (a test driving the drain) does not.
    await this.alarmClock.fired(async () => {
      if (await this.outbox.drain()) this.ledger.forgetOldDeliveries();
      await this.outbound.send(() => this.config.load()?.value ?? null);
    }, info !== undefined);
  }

  /**
   * Queues an accepted delivery for the forward, in the transaction that accepts it. A delivery
   * that changed nothing (a duplicate) goes only when the integration asks for duplicates; one
   * that found nothing to resolve, or carried nothing to record, does not go.
   */
  private queueForward(config: IntegrationConfig, request: IngestRequest, results: CommandResult[]): void {
    if (!config.forward || !request.original || results.length === 0) return;
    const changed = results.some((r) => r.result === "created" || r.result === "updated" || r.result === "stale");
    const duplicate = results.every((r) => r.result === "duplicate");
    if (!changed && !(duplicate && config.forward.duplicates)) return;
    const ref = request.delivery_id ?? results.find((r) => r.id !== null)?.id ?? "";
    this.outbound.enqueueForward(request.original, ref, Date.now());
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
      this.queueForward(config, request, applied);
      return applied;
    });
    return { ok: true, results };
  }
}
