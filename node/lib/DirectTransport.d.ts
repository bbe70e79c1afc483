// `mediasoup/node/lib/DirectTransport` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class DirectTransportImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `DirectTransport` interface.

import type { AppData, DirectTransport } from '../../js/types';

export type DirectTransportImpl<DirectTransportAppData extends AppData = AppData> = DirectTransport<DirectTransportAppData>;
