// `mediasoup/node/lib/Transport` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class TransportImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `Transport` interface.

import type { AppData, Transport, TransportEvents, TransportObserver } from '../../js/types';

export type TransportImpl<
	TransportAppData extends AppData = AppData,
	Events extends TransportEvents = TransportEvents,
	Observer extends TransportObserver = TransportObserver,
> = Transport<TransportAppData, Events, Observer>;
