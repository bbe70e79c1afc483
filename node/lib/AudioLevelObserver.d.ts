// `mediasoup/node/lib/AudioLevelObserver` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// mediasoup exports its implementation class AudioLevelObserverImpl here; since
// this path cannot be required, only its type is usable: here an alias of
// the public `AudioLevelObserver` interface.

import type { AppData, AudioLevelObserver } from '../../js/types';

export type AudioLevelObserverImpl<AudioLevelObserverAppData extends AppData = AppData> = AudioLevelObserver<AudioLevelObserverAppData>;
