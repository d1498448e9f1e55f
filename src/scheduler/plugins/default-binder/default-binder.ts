/** DefaultBinder: writes the pods/binding subresource through the injected binder. */
import type { PodT } from '../../../api/core/v1/types.js';
import type { CycleState } from '../../framework/cycle-state.js';
import type { BindPlugin, PodBinder } from '../../framework/interface.js';
import { Status } from '../../framework/status.js';

export const NAME = 'DefaultBinder';

export class DefaultBinder implements BindPlugin {
  readonly name = NAME;

  constructor(private readonly binder: PodBinder | undefined) {}

  async bind(_state: CycleState, pod: PodT, nodeName: string): Promise<Status> {
    if (!this.binder) return Status.error('no binder configured');
    return this.binder.bind(pod, nodeName);
  }
}
