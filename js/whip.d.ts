// Type declarations for `ferrosoup/whip`: WHIP (RFC 9725) and WHEP endpoints
// mounted on a Node HTTP server, mapping SDP offers onto a Router's
// WebRtcTransports, Producers and Consumers.

import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { EnhancedEventEmitter } from './extras';
import type {
	Consumer,
	Producer,
	Router,
	TransportListenInfo,
	WebRtcServer,
	WebRtcTransport,
	WebRtcTransportOptions,
	Worker,
} from './types';

/** What an `authorize` hook is asked about. */
export type WhipRequestContext = {
	kind: 'whip' | 'whep';
	stream: string;
	/** The session a PATCH or DELETE targets, if it exists. */
	session?: WhipSession;
};

export type WhipTransportContext = { kind: 'whip' | 'whep'; stream: string };

type TransportOptionsResult = Partial<WebRtcTransportOptions> | Promise<Partial<WebRtcTransportOptions>>;

export type WhipServerOptions = {
	/** Router whose WebRtcTransports, Producers and Consumers the sessions use. */
	router: Router;
	/**
	 * The router's Worker (where `webRtcServer` lives; by default the one
	 * that created `router`): a WHEP viewer whose offer gives `router`'s
	 * payload types to other codecs (browsers' offers do) gets a router of
	 * its own there.
	 */
	worker?: Worker;
	/** WebRtcServer the transports use, */
	webRtcServer?: WebRtcServer;
	/** or their own listening sockets, */
	listenInfos?: TransportListenInfo[];
	/** plus any other createWebRtcTransport() options (or a function giving them). */
	transportOptions?: Partial<WebRtcTransportOptions> | ((context: WhipTransportContext) => TransportOptionsResult);
	/** WHIP endpoint path (default '/whip'): POST '/whip' or '/whip/<stream>'. */
	basePath?: string;
	/** WHEP endpoint path (default '/whep'); null disables WHEP. */
	whepBasePath?: string | null;
	/** Returns false to answer 401 (see `bearerToken()`). Not asked for OPTIONS. */
	authorize?: (req: IncomingMessage, context: WhipRequestContext) => boolean | Promise<boolean>;
	/** Listener of 'publish'. */
	onPublish?: (session: WhipSession) => void;
	/** Listener of 'unpublish'. */
	onUnpublish?: (session: WhipSession) => void;
	/** Access-Control-Allow-Origin value (default '*'); false: no CORS headers. */
	cors?: string | false;
	/** A session whose DTLS is not connected after this many ms is closed (default 30000). */
	connectTimeout?: number;
	/** A session whose ICE stays disconnected this many ms is closed (default 15000). */
	disconnectTimeout?: number;
};

/** One WHIP (publishing) or WHEP (playing) session. */
export interface WhipSession {
	readonly id: string;
	readonly kind: 'whip' | 'whep';
	readonly stream: string;
	/** Path of the session resource (the Location header). */
	readonly location: string;
	readonly transport: WebRtcTransport;
	/** WHIP: one Producer per accepted m-line. */
	readonly producers: Producer[];
	/** WHEP: one Consumer per accepted m-line. */
	readonly consumers: Consumer[];
	/** Current entity-tag of the ICE session (changes on ICE restart). */
	readonly etag: string;
	readonly createdAt: number;
	readonly closed: boolean;
	/** Ends the session (closes its transport). */
	close(): void;
}

export type WhipServerEvents = {
	publish: [WhipSession];
	unpublish: [WhipSession];
	play: [WhipSession];
	stop: [WhipSession];
};

export declare class WhipServer extends EnhancedEventEmitter<WhipServerEvents> {
	constructor(options: WhipServerOptions);
	/** Live sessions by id. */
	get sessions(): Map<string, WhipSession>;
	/** Live WHIP sessions by stream name. */
	get publishers(): Map<string, WhipSession>;
	get closed(): boolean;
	/** Serves `req` and returns true if its path is a WHIP/WHEP one, else false. */
	handle(req: IncomingMessage, res: ServerResponse): boolean;
	/** Serves WHIP/WHEP paths on `server`, passing other requests to its listeners. */
	attach(server: HttpServer | HttpsServer): this;
	/** Ends every session and stops serving. */
	close(): void;
}

export declare function createWhipServer(options: WhipServerOptions): WhipServer;

/** The token of an `Authorization: Bearer <token>` header. */
export declare function bearerToken(req: IncomingMessage): string | undefined;
