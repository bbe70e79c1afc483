// `mediasoup/node/lib/Worker` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class WorkerImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `Worker` interface.

import type { AppData, Worker } from '../../js/types';

export type WorkerImpl<WorkerAppData extends AppData = AppData> = Worker<WorkerAppData>;

// mediasoup's default worker binary path: the root module's `workerBin`.
export { workerBin as defaultWorkerBin } from '../../index';
