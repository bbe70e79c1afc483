// `mediasoup/node/lib/DataConsumer` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class DataConsumerImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `DataConsumer` interface.

import type { AppData, DataConsumer } from '../../js/types';

export type DataConsumerImpl<DataConsumerAppData extends AppData = AppData> = DataConsumer<DataConsumerAppData>;
