// Type declarations for `ferrosoup/ortc` (mediasoup 3.27.1 `mediasoup/ortc`).
//
// mediasoup's `serializeRtpMapping()` (which takes a flatbuffers Builder and is
// internal to its worker channel) is intentionally not declared.

import type {
	RtpCapabilities,
	RouterRtpCapabilities,
	RouterRtpCodecCapability,
	RtpParameters,
	SctpStreamParameters,
} from './types';

/**
 * How a Producer's codec payload types and encoding SSRCs/RIDs map to the
 * payload types and SSRCs used inside the Router.
 */
export type RtpCodecsEncodingsMapping = {
	codecs: {
		payloadType: number;
		mappedPayloadType: number;
	}[];
	encodings: {
		ssrc?: number;
		rid?: string;
		mappedSsrc: number;
	}[];
};

/** Validates RTP capabilities and fills in defaults, in place. Throws TypeError. */
export declare function validateAndNormalizeRtpCapabilities(caps: RtpCapabilities | RouterRtpCapabilities): void;

/** Validates RTP parameters and fills in defaults, in place. Throws TypeError. */
export declare function validateAndNormalizeRtpParameters(params: RtpParameters): void;

/** Validates SCTP stream parameters and fills in defaults, in place. Throws TypeError. */
export declare function validateAndNormalizeSctpStreamParameters(params: SctpStreamParameters): void;

/**
 * Builds a Router's RTP capabilities from the given media codecs (throws
 * UnsupportedError for a codec that is not supported).
 */
export declare function generateRouterRtpCapabilities(mediaCodecs?: RouterRtpCodecCapability[]): RtpCapabilities;

/** Maps a Producer's RTP parameters onto the Router's RTP capabilities. */
export declare function getProducerRtpParametersMapping(
	params: RtpParameters,
	caps: RtpCapabilities
): RtpCodecsEncodingsMapping;

/** Computes the RTP parameters that Consumers of a Producer are derived from. */
export declare function getConsumableRtpParameters(
	kind: string,
	params: RtpParameters,
	caps: RtpCapabilities,
	rtpMapping: RtpCodecsEncodingsMapping
): RtpParameters;

/** Whether an endpoint with the given RTP capabilities can consume the given consumable parameters. */
export declare function canConsume(consumableParams: RtpParameters, caps: RtpCapabilities): boolean;

/** Computes a Consumer's RTP parameters for a remote endpoint's RTP capabilities. */
export declare function getConsumerRtpParameters({
	consumableRtpParameters,
	remoteRtpCapabilities,
	pipe,
	enableRtx,
}: {
	consumableRtpParameters: RtpParameters;
	remoteRtpCapabilities: RtpCapabilities;
	pipe: boolean;
	enableRtx: boolean;
}): RtpParameters;

/** Computes the RTP parameters of a Consumer created on a PipeTransport. */
export declare function getPipeConsumerRtpParameters({
	consumableRtpParameters,
	enableRtx,
}: {
	consumableRtpParameters: RtpParameters;
	enableRtx: boolean;
}): RtpParameters;
