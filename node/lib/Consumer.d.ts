// `mediasoup/node/lib/Consumer` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class ConsumerImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `Consumer` interface.

import type { AppData, Consumer } from '../../js/types';

export type ConsumerImpl<ConsumerAppData extends AppData = AppData> = Consumer<ConsumerAppData>;
