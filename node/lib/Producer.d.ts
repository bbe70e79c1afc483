// `mediasoup/node/lib/Producer` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class ProducerImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `Producer` interface.

import type { AppData, Producer } from '../../js/types';

export type ProducerImpl<ProducerAppData extends AppData = AppData> = Producer<ProducerAppData>;
