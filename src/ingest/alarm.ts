/**
 * @module
 * The object's one alarm, shared by the outbox's drain and the outbound queue: each asks for a
 * time, and the alarm runs at the earliest of them.
 */
export class Alarm {
  /** Whether the alarm's handler is running: the stored alarm is then the one that fired. */
  private firing = false;
  /** The earliest time asked for while the handler runs, set when it ends. */
  private wanted: number | null = null;

  constructor(private readonly storage: DurableObjectStorage) {}

  /** Makes sure the alarm runs no later than `at`. */
  async atLatest(at: number): Promise<void> {
    if (this.firing) {
      this.wanted = Math.min(this.wanted ?? at, at);
      return;
    }
    const current = await this.storage.getAlarm();
    if (current === null || at < current) await this.storage.setAlarm(at);
  }

  /**
   * Runs the handler's work. The alarm that fired still reads as set while it runs, so the times
   * asked for meanwhile are gathered and the earliest is set once the work is done; when the
   * runtime fired it, never at or before now, which the runtime would clear as the alarm it ran.
   */
  async fired(work: () => Promise<void>, byRuntime: boolean): Promise<void> {
    this.firing = true;
    this.wanted = null;
    try {
      await work();
    } finally {
      this.firing = false;
      const at = this.wanted;
      this.wanted = null;
      if (at !== null) await this.storage.setAlarm(byRuntime ? Math.max(at, Date.now() + 1) : at);
    }
  }
}
