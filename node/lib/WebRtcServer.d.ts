// `mediasoup/node/lib/WebRtcServer` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class WebRtcServerImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `WebRtcServer` interface.

import type { AppData, WebRtcServer } from '../../js/types';

export type WebRtcServerImpl<WebRtcServerAppData extends AppData = AppData> = WebRtcServer<WebRtcServerAppData>;
