// Type declarations for `ferrosoup/errors` (mediasoup 3.27.1 `mediasoup/errors`).

/** A codec, parameter or feature that cannot be negotiated or is not available. */
export declare class UnsupportedError extends Error {
	constructor(message: string);
}

/**
 * The entity is in a state that does not allow the call.
 *
 * @remarks Not part of mediasoup 3.27, which replaced it with
 * `WorkerClosedError` and `NotFoundError` in 3.21. ferrosoup keeps exporting
 * it for applications written against mediasoup <= 3.19, and
 * `WorkerClosedError` extends it so their `instanceof` checks still match.
 */
export declare class InvalidStateError extends Error {
	constructor(message: string);
}

/**
 * The Worker (or the channel to it) is closed, so the request cannot be sent.
 *
 * @remarks mediasoup declares it as a direct subclass of `Error`; the extra
 * `InvalidStateError` ancestor adds no members, so the types stay identical.
 */
export declare class WorkerClosedError extends InvalidStateError {
	constructor(message: string);
}

/** The addressed entity (Router, Producer, ...) does not exist, or no longer exists. */
export declare class NotFoundError extends Error {
	constructor(message: string);
}
