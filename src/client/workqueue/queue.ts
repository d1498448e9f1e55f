/**
 * The controller work queue with upstream's guarantees: a key waits in the
 * queue at most once, is processed by at most one worker at a time, and a
 * key added while it is processed is queued again when `done` is called.
 */
export type QueueItem<K> = { shutdown: false; key: K } | { shutdown: true };

export interface Interface<K = string> {
  add(key: K): void;
  len(): number;
  /** Waits for the next key; `{ shutdown: true }` once the queue is shut down and (for drain) empty. */
  get(): Promise<QueueItem<K>>;
  done(key: K): void;
  shutDown(): void;
  /** Shuts down and waits until every key handed out is done. */
  shutDownWithDrain(): Promise<void>;
  shuttingDown(): boolean;
}

export class Queue<K = string> implements Interface<K> {
  private queue: K[] = [];
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private waiters: ((item: QueueItem<K>) => void)[] = [];
  private drained?: () => void;
  protected isShuttingDown = false;

  add(key: K): void {
    if (this.isShuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.push(key);
  }

  len(): number {
    return this.queue.length;
  }

  get(): Promise<QueueItem<K>> {
    if (this.queue.length) return Promise.resolve({ shutdown: false, key: this.take() });
    if (this.isShuttingDown) return Promise.resolve({ shutdown: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) this.push(key);
    else if (this.drained && !this.processing.size) this.drained();
  }

  shutDown(): void {
    this.isShuttingDown = true;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w({ shutdown: true });
  }

  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (!this.processing.size) return;
    await new Promise<void>((resolve) => (this.drained = resolve));
  }

  shuttingDown(): boolean {
    return this.isShuttingDown;
  }

  private push(key: K): void {
    const waiter = this.waiters.shift();
    if (waiter) {
      // Handed straight to a waiting worker: never sits in the queue.
      this.dirty.delete(key);
      this.processing.add(key);
      waiter({ shutdown: false, key });
      return;
    }
    this.queue.push(key);
  }

  private take(): K {
    const key = this.queue.shift()!;
    this.dirty.delete(key);
    this.processing.add(key);
    return key;
  }
}
