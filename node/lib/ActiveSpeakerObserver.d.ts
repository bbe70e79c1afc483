// `mediasoup/node/lib/ActiveSpeakerObserver` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class ActiveSpeakerObserverImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `ActiveSpeakerObserver` interface.

import type { AppData, ActiveSpeakerObserver } from '../../js/types';

export type ActiveSpeakerObserverImpl<ActiveSpeakerObserverAppData extends AppData = AppData> = ActiveSpeakerObserver<ActiveSpeakerObserverAppData>;
