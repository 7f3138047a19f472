/**
 * @module
 * The object's one alarm, shared by the outbox's drain and the outbound queue: each asks for a
 * time, and the alarm runs at the earliest of them.
 */
export class Alarm {
  constructor(private readonly storage: DurableObjectStorage) {}

  /** Makes sure the alarm runs no later than `at`. */
  async atLatest(at: number): Promise<void> {
    const current = await this.storage.getAlarm();
    if (current === null || at < current) await this.storage.setAlarm(at);
  }
}
