/**
 * @module
 * Coalesces concurrent submissions to one key into one call. While a call for a key is in flight,
 * later submissions to it queue up and go together, in arrival order, as the next call: under load
 * one call carries many, and a lone submission goes at once, waiting for no timer.
 */

/** Sends a batch; resolves with one reply per request, in order. */
export type SendBatch<Req, Rep> = (requests: Req[]) => Promise<Rep[]>;

/** Keeps a promise's work alive past the reply of the request that started it (`ctx.waitUntil`). */
export type WaitUntil = (promise: Promise<unknown>) => void;

export interface BatcherOptions {
  /** The most requests one call carries. */
  maxBatch: number;
  /**
   * How long a call may stay unanswered before its lane takes the next batch and its requests give
   * up with an error (the call may still complete later).
   */
  stallMs: number;
  /**
   * How often a queued submission looks at its lane while a call is in flight. The call wakes only
   * the head of the queue when it answers (each wake-up across requests costs the runtime about as
   * much as a small call); this covers a head whose request went away meanwhile.
   */
  handoverMs: number;
}

interface Waiter<Req, Rep> {
  request: Req;
  /** When the call carrying this request counts as stalled; unset while it is queued. */
  deadline?: number;
  outcome?: { reply: Rep } | { error: unknown };
  /** Ends this submission's current wait. */
  wake?: () => void;
}

interface Lane<Req, Rep> {
  /** When the call in flight counts as stalled; 0 when none is in flight. */
  busyUntil: number;
  queue: Waiter<Req, Rep>[];
}

/**
 * Per-key batching of calls, for one isolate.
 *
 * Each submission waits in its own request: a reply resolved by another request is no I/O of its
 * own, so it also holds a timer (its call's stall deadline, or `handoverMs` while queued), which
 * keeps the runtime from taking it for a request that hung. The call itself is handed to
 * `waitUntil` of the request that sends it, so that it completes for the others if that request's
 * client goes away.
 *
 * @example
 * const batcher = new Batcher<Req, Rep>({ maxBatch: 8, stallMs: 30_000, handoverMs: 100 });
 * const reply = await batcher.submit(id, request, (all) => stub.ingestBatch(all), ctx.waitUntil.bind(ctx));
 */
export class Batcher<Req, Rep> {
  private readonly lanes = new Map<string, Lane<Req, Rep>>();

  constructor(private readonly options: BatcherOptions) {}

  /** Queues `request` on `key`'s lane and resolves with its reply, or rejects with its call's error. */
  async submit(key: string, request: Req, send: SendBatch<Req, Rep>, waitUntil: WaitUntil): Promise<Rep> {
    const lane = this.lane(key);
    const waiter: Waiter<Req, Rep> = { request };
    lane.queue.push(waiter);
    for (;;) {
      const { outcome } = waiter;
      if (outcome) {
        if ("error" in outcome) throw outcome.error;
        return outcome.reply;
      }
      const now = Date.now();
      if (waiter.deadline === undefined) {
        if (now >= lane.busyUntil) {
          this.send(key, lane, send, waitUntil, now);
          continue;
        }
        await this.sleep(waiter, Math.min(this.options.handoverMs, lane.busyUntil - now));
      } else {
        if (now >= waiter.deadline) throw new Error(`no answer to the shared call within ${this.options.stallMs} ms`);
        await this.sleep(waiter, waiter.deadline - now);
      }
    }
  }

  private lane(key: string): Lane<Req, Rep> {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { busyUntil: 0, queue: [] }));
    return lane;
  }

  /** Sends the head of the queue as one call, and settles its waiters when it answers. */
  private send(key: string, lane: Lane<Req, Rep>, send: SendBatch<Req, Rep>, waitUntil: WaitUntil, now: number): void {
    const deadline = now + this.options.stallMs;
    const batch = lane.queue.splice(0, this.options.maxBatch);
    for (const waiter of batch) waiter.deadline = deadline;
    lane.busyUntil = deadline;
    const call = (async () => {
      try {
        const replies = await send(batch.map((w) => w.request));
        batch.forEach((waiter, i) => (waiter.outcome = { reply: replies[i]! }));
      } catch (error) {
        for (const waiter of batch) waiter.outcome = { error };
      }
      // A stalled call's lane has moved on: only the call it still waits for may free it.
      if (lane.busyUntil === deadline) lane.busyUntil = 0;
      if (lane.queue.length === 0 && lane.busyUntil === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
      for (const waiter of batch) waiter.wake?.();
      lane.queue[0]?.wake?.();
    })();
    waitUntil(call);
  }

  /** Waits until `waiter` is woken, or `ms` at most. */
  private async sleep(waiter: Waiter<Req, Rep>, ms: number): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | null = null;
    await new Promise<void>((resolve) => {
      waiter.wake = resolve;
      timer = setTimeout(resolve, Math.max(0, ms) + 1);
    });
    delete waiter.wake;
    clearTimeout(timer);
  }
}
