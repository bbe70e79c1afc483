// `mediasoup/node/lib/PlainTransport` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class PlainTransportImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `PlainTransport` interface.

import type { AppData, PlainTransport } from '../../js/types';

export type PlainTransportImpl<PlainTransportAppData extends AppData = AppData> = PlainTransport<PlainTransportAppData>;
