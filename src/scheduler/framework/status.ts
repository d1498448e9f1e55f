/**
 * The result of running a plugin, as kube-scheduler's framework.Status: a
 * code plus human-readable reasons. Rejections are values, never thrown.
 */
export enum Code {
  /** The plugin ran and the pod may go ahead (a nil Status upstream). */
  Success = 0,
  /** An internal failure: not the pod's fault; the pod is retried with back-off. */
  Error = 1,
  /**
   * The pod does not fit right now but could after a change the scheduler
   * can bring about, such as preempting lower-priority pods on the node.
   */
  Unschedulable = 2,
  /**
   * The pod does not fit and preemption cannot change that (a label, taint
   * or node name mismatch); PostFilter skips nodes with this code.
   */
  UnschedulableAndUnresolvable = 3,
  /** Only from Permit: hold the pod until another party allows or rejects it. */
  Wait = 4,
  /**
   * The plugin has nothing to say about this pod; the framework skips its
   * matching later extension point (Filter after PreFilter, Score after PreScore).
   */
  Skip = 5,
}

const codeNames: Record<Code, string> = {
  [Code.Success]: 'Success',
  [Code.Error]: 'Error',
  [Code.Unschedulable]: 'Unschedulable',
  [Code.UnschedulableAndUnresolvable]: 'UnschedulableAndUnresolvable',
  [Code.Wait]: 'Wait',
  [Code.Skip]: 'Skip',
};

export class Status {
  /** The plugin that produced a non-success status; set by the framework. */
  plugin = '';

  constructor(
    readonly code: Code,
    readonly reasons: readonly string[] = [],
  ) {}

  static success(): Status {
    return SUCCESS;
  }

  static unschedulable(...reasons: string[]): Status {
    return new Status(Code.Unschedulable, reasons);
  }

  static unresolvable(...reasons: string[]): Status {
    return new Status(Code.UnschedulableAndUnresolvable, reasons);
  }

  static error(message: string): Status {
    return new Status(Code.Error, [message]);
  }

  static skip(): Status {
    return new Status(Code.Skip);
  }

  isSuccess(): boolean {
    return this.code === Code.Success;
  }

  isSkip(): boolean {
    return this.code === Code.Skip;
  }

  /** Unschedulable or UnschedulableAndUnresolvable: the pod does not fit. */
  isRejected(): boolean {
    return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable;
  }

  codeName(): string {
    return codeNames[this.code];
  }

  /** The reasons joined as upstream's Status.Message(). */
  message(): string {
    return this.reasons.join(', ');
  }

  /** The last status made by withPlugin: a plugin returning one constant status on many nodes gets one copy. */
  private attributed?: Status;

  withPlugin(plugin: string): Status {
    if (this.attributed?.plugin === plugin) return this.attributed;
    const s = new Status(this.code, this.reasons);
    s.plugin = plugin;
    this.attributed = s;
    return s;
  }
}

const SUCCESS = new Status(Code.Success);
