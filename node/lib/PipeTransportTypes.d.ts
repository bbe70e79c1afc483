// `mediasoup/node/lib/PipeTransportTypes` for TypeScript resolving deep imports as files
// (moduleResolution node10): re-exports of ferrosoup's declarations. The
// exports map blocks requiring this path at runtime, as mediasoup's does.
//
// Empty: ferrosoup does not implement pipe transports yet, and its `types`
// has none of mediasoup's PipeTransport types. The module exists so that an
// import of one of them reports the missing name, not a missing module.

export {};
