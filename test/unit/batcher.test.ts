import { describe, expect, it } from "vitest";
import { Batcher, type BatcherOptions } from "../../src/ingest/batcher";

/** A `send` whose calls stay open until the test answers them. */
function controlledSend() {
  const calls: { requests: string[]; answer(): void; fail(error: Error): void }[] = [];
  const send = (requests: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ requests, answer: () => resolve(requests.map((r) => `reply:${r}`)), fail: reject });
    });
  return { calls, send };
}

/** A batcher for strings: calls of up to 8, given up after 30 s, unless the test says otherwise. */
const stringBatcher = (options: Partial<BatcherOptions> = {}) => new Batcher<string, string>({ maxBatch: 8, stallMs: 30_000, handoverMs: 100, ...options });

/** What a submission came to: "answered", or its error's message. */
const outcomeOf = (reply: Promise<string>) =>
  reply.then(
    () => "answered",
    (error: Error) => error.message,
  );

/** Lets queued continuations run. */
const settle = () => new Promise((r) => setTimeout(r, 5));

const ignore = () => {};

describe("Batcher", () => {
  it("sends a lone request at once, alone", async () => {
    const batcher = stringBatcher();
    const { calls, send } = controlledSend();
    const reply = batcher.submit("k", "a", send, ignore);
    await settle();
    expect(calls.map((c) => c.requests)).toEqual([["a"]]);
    calls[0]!.answer();
    expect(await reply).toBe("reply:a");
  });

  it("sends what queued during a call as the next call, in arrival order, each getting its own reply", async () => {
    const batcher = stringBatcher();
    const { calls, send } = controlledSend();
    const replies = ["a", "b", "c", "d"].map((r) => batcher.submit("k", r, send, ignore));
    await settle();
    expect(calls.map((c) => c.requests)).toEqual([["a"]]);
    calls[0]!.answer();
    await settle();
    expect(calls.map((c) => c.requests)).toEqual([["a"], ["b", "c", "d"]]);
    calls[1]!.answer();
    expect(await Promise.all(replies)).toEqual(["reply:a", "reply:b", "reply:c", "reply:d"]);
  });

  it("carries at most maxBatch requests per call", async () => {
    const batcher = stringBatcher({ maxBatch: 2 });
    const { calls, send } = controlledSend();
    const replies = ["1", "2", "3", "4", "5", "6"].map((r) => batcher.submit("k", r, send, ignore));
    for (let i = 0; i < 4; i++) {
      await settle();
      calls[i]!.answer();
    }
    expect(await Promise.all(replies)).toHaveLength(6);
    expect(calls.map((c) => c.requests)).toEqual([["1"], ["2", "3"], ["4", "5"], ["6"]]);
  });

  it("rejects every request of a failed call with its error, and goes on with the next", async () => {
    const batcher = stringBatcher();
    const { calls, send } = controlledSend();
    const first = batcher.submit("k", "a", send, ignore);
    await settle();
    const queued = ["b", "c"].map((r) => outcomeOf(batcher.submit("k", r, send, ignore)));
    await settle();
    calls[0]!.answer();
    await settle();
    calls[1]!.fail(new Error("object reset"));
    const later = batcher.submit("k", "d", send, ignore);
    await settle();
    calls[2]!.answer();
    expect(await first).toBe("reply:a");
    expect(await Promise.all(queued)).toEqual(["object reset", "object reset"]);
    expect(await later).toBe("reply:d");
  });

  it("keeps keys apart: a call in flight for one holds back no other", async () => {
    const batcher = stringBatcher();
    const { calls, send } = controlledSend();
    void batcher.submit("one", "a", send, ignore);
    const other = batcher.submit("two", "b", send, ignore);
    await settle();
    expect(calls.map((c) => c.requests)).toEqual([["a"], ["b"]]);
    calls[1]!.answer();
    expect(await other).toBe("reply:b");
  });

  it("hands each call to waitUntil, so it completes for the others when its sender's request ends", async () => {
    const batcher = stringBatcher();
    const { calls, send } = controlledSend();
    const kept: Promise<unknown>[] = [];
    const reply = batcher.submit("k", "a", send, (p) => kept.push(p));
    await settle();
    expect(kept).toHaveLength(1);
    calls[0]!.answer();
    await kept[0];
    expect(await reply).toBe("reply:a");
  });

  it("gives up on a call that never answers after stallMs, and sends what queued behind it", async () => {
    const batcher = stringBatcher({ stallMs: 100, handoverMs: 20 });
    const { calls, send } = controlledSend();
    const outcome = outcomeOf(batcher.submit("k", "a", send, ignore));
    await settle();
    const queued = batcher.submit("k", "b", send, ignore);
    await settle();
    expect(calls).toHaveLength(1);
    expect(await outcome).toMatch(/no answer .* within 100 ms/);
    await settle();
    expect(calls.map((c) => c.requests)).toEqual([["a"], ["b"]]);
    calls[1]!.answer();
    expect(await queued).toBe("reply:b");
  });

  it("frees nothing on a stalled call's late answer: the call after it still holds the lane", async () => {
    const batcher = stringBatcher({ stallMs: 100, handoverMs: 20 });
    const { calls, send } = controlledSend();
    const stalled = batcher.submit("k", "a", send, ignore).catch(() => "gave up");
    await settle();
    const second = batcher.submit("k", "b", send, ignore);
    expect(await stalled).toBe("gave up");
    await settle();
    expect(calls).toHaveLength(2);
    calls[0]!.answer();
    await settle();
    const third = batcher.submit("k", "c", send, ignore);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toHaveLength(2);
    calls[1]!.answer();
    await settle();
    expect(calls.map((c) => c.requests)).toEqual([["a"], ["b"], ["c"]]);
    calls[2]!.answer();
    expect([await second, await third]).toEqual(["reply:b", "reply:c"]);
  });
});
