// `mediasoup/node/lib/RtpObserver` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class RtpObserverImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `RtpObserver` interface.

import type { AppData, RtpObserver, RtpObserverEvents, RtpObserverObserver } from '../../js/types';

export type RtpObserverImpl<
	RtpObserverAppData extends AppData = AppData,
	Events extends RtpObserverEvents = RtpObserverEvents,
	Observer extends RtpObserverObserver = RtpObserverObserver,
> = RtpObserver<RtpObserverAppData, Events, Observer>;
