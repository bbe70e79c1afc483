// `mediasoup/node/lib/DataProducer` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class DataProducerImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `DataProducer` interface.

import type { AppData, DataProducer } from '../../js/types';

export type DataProducerImpl<DataProducerAppData extends AppData = AppData> = DataProducer<DataProducerAppData>;
