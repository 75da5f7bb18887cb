/** The whole view: header bar, then the step tree with its waterfall beside the detail pane. */
import { DetailPane } from './detail/DetailPane';
import { HeaderBar } from './HeaderBar';
import { IconSprite } from './Icon';
import { StepTree } from './StepTree';
import type { TraceState } from './useTrace';

/** Lays out the trace once its header has arrived. */
export function TraceView({ trace }: { trace: TraceState }) {
  const { header, hostError } = trace;
  return (
    <div class="trace-view">
      <IconSprite />
      {hostError && (
        <div class="host-error" role="alert">
          {hostError}
        </div>
      )}
      {!header ? (
        <div class="loading">Loading trace…</div>
      ) : (
        <>
          <HeaderBar header={header} />
          <div class="split">
            <StepTree trace={trace} header={header} />
            <DetailPane detail={trace.detail} onOpen={trace.open} onAction={trace.act} />
          </div>
        </>
      )}
    </div>
  );
}
