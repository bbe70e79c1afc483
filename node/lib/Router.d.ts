// `mediasoup/node/lib/Router` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class RouterImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `Router` interface.

import type { AppData, Router } from '../../js/types';

export type RouterImpl<RouterAppData extends AppData = AppData> = Router<RouterAppData>;
