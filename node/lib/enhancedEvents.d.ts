// `mediasoup/node/lib/enhancedEvents` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.

export { EnhancedEventEmitter, enhancedOnce } from '../../js/extras';
