// `mediasoup/node/lib/PipeTransport` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class PipeTransportImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `PipeTransport` interface.

import type { AppData, PipeTransport } from '../../js/types';

export type PipeTransportImpl<PipeTransportAppData extends AppData = AppData> = PipeTransport<PipeTransportAppData>;
