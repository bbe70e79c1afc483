// `mediasoup/node/lib/WebRtcTransport` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class WebRtcTransportImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `WebRtcTransport` interface.

import type { AppData, WebRtcTransport } from '../../js/types';

export type WebRtcTransportImpl<WebRtcTransportAppData extends AppData = AppData> = WebRtcTransport<WebRtcTransportAppData>;
