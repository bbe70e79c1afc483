// Type declarations for `ferrosoup/extras` (mediasoup 3.27.1 `mediasoup/extras`).

import { EventEmitter } from 'node:events';

/** Map of event name to the tuple of arguments its listeners receive. */
type Events = Record<string, any[]>;

/**
 * A Node.js `EventEmitter` with typed events. Its maximum listener count is
 * unlimited, and `safeEmit()` reports a throwing listener as a `listenererror`
 * event instead of letting the error propagate to the emitter.
 */
export declare class EnhancedEventEmitter<
	E extends Events = Events,
	BuiltInEvents extends Events = { listenererror: [keyof E, Error] },
	E2 extends Events = E & BuiltInEvents,
> extends EventEmitter {
	constructor();

	emit<K extends keyof E2 & string>(eventName: K, ...args: E2[K]): boolean;

	/** Like `emit()`, but an exception thrown by a listener is emitted as `listenererror`. */
	safeEmit<K extends keyof E2 & string>(eventName: K, ...args: E2[K]): boolean;

	on<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this;

	off<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this;

	addListener<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this;

	prependListener<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this;

	once<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this;

	prependOnceListener<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this;

	removeListener<K extends keyof E2 & string>(eventName: K, listener: (...args: E2[K]) => void): this;

	removeAllListeners<K extends keyof E2 & string>(eventName?: K): this;

	listenerCount<K extends keyof E2 & string>(eventName: K): number;

	listeners<K extends keyof E2 & string>(eventName: K): ((...args: any[]) => void)[];

	rawListeners<K extends keyof E2 & string>(eventName: K): ((...args: any[]) => void)[];
}

/**
 * Resolves with the arguments of the next `eventName` event of `emmiter`
 * (Node's `events.once()`); rejects if the emitter emits `error` first.
 */
export declare function enhancedOnce<E extends Events = Events>(
	emmiter: EnhancedEventEmitter<E>,
	eventName: keyof E & string,
	options?: any
): Promise<any[]>;

export {};
