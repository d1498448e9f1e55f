/**
 * Explicit lifetimes: whatever starts something returns a Disposable owned by
 * its parent, and a DisposableStore disposes its children in reverse order.
 */
export interface Disposable {
  dispose(): void | Promise<void>;
}

export class DisposableStore implements Disposable {
  private items: Disposable[] = [];
  private disposed = false;

  add<T extends Disposable>(d: T): T {
    if (this.disposed) {
      void d.dispose();
      return d;
    }
    this.items.push(d);
    return d;
  }

  /** Registers a plain function as a child. */
  defer(fn: () => void | Promise<void>): void {
    this.add({ dispose: fn });
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const items = this.items.reverse();
    this.items = [];
    for (const d of items) {
      try {
        await d.dispose();
      } catch {
        // One failing child must not keep the others alive.
      }
    }
  }
}

/** An AbortSignal that fires when any of the given ones does. */
export function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((s): s is AbortSignal => !!s);
  return AbortSignal.any(present);
}
