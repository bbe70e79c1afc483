'use strict';

// GStreamer as a real RTP peer for the media tests: a live VP8 + Opus sender
// (plain RTP or SRTP in mediasoup's suites) and a receiver that decodes a
// consumer's streams and counts decoded buffers.

const assert = require('node:assert/strict');
const { waitFor } = require('./rtp-tools');

const AUDIO_SSRC = 11111111;
const VIDEO_SSRC = 22222222;
const AUDIO_PT = 101;
const VIDEO_PT = 102;
const SRTP_SUITE = 'AES_CM_128_HMAC_SHA1_80';
// mediasoup's SRTP suites as libsrtp (GStreamer's srtpenc/srtpdec) names
// them: [rtp cipher, rtp auth, rtcp cipher, rtcp auth]. ffmpeg knows the
// AES_CM ones.
const GST_SRTP = {
	AES_CM_128_HMAC_SHA1_80: ['aes-128-icm', 'hmac-sha1-80', 'aes-128-icm', 'hmac-sha1-80'],
	AES_CM_128_HMAC_SHA1_32: ['aes-128-icm', 'hmac-sha1-32', 'aes-128-icm', 'hmac-sha1-80'],
	AEAD_AES_128_GCM: ['aes-128-gcm', 'null', 'aes-128-gcm', 'null'],
	AEAD_AES_256_GCM: ['aes-256-gcm', 'null', 'aes-256-gcm', 'null'],
};
const audioRtpParameters = {
	codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO_PT, clockRate: 48000, channels: 2 }],
	encodings: [{ ssrc: AUDIO_SSRC }],
	rtcp: { cname: 'gst-sender' },
};
const videoRtpParameters = {
	codecs: [
		{
			mimeType: 'video/VP8',
			payloadType: VIDEO_PT,
			clockRate: 90000,
			rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }],
		},
	],
	encodings: [{ ssrc: VIDEO_SSRC }],
	rtcp: { cname: 'gst-sender' },
};

/**
 * gst-launch arguments of a live VP8 (testsrc 320x240@30, key frame every
 * 30 frames) + Opus (sine) sender to 127.0.0.1:port, both streams from one
 * socket, optionally SRTP-protected with `srtpKey` in `suite`.
 */
function gstSenderArgs({ port, srtpKey = null, suite = SRTP_SUITE, videoBitrate = 600_000, audio = true, pattern = 'ball' }) {
	const [rtpCipher, rtpAuth, rtcpCipher, rtcpAuth] = GST_SRTP[suite];
	const out = srtpKey
		? [
			'srtpenc', `key=${srtpKey.toString('hex')}`, `rtp-cipher=${rtpCipher}`, `rtp-auth=${rtpAuth}`,
			`rtcp-cipher=${rtcpCipher}`, `rtcp-auth=${rtcpAuth}`, '!',
		]
		: [];
	return [
		'-q',
		'videotestsrc', 'is-live=true', `pattern=${pattern}`, '!',
		'video/x-raw,width=320,height=240,framerate=30/1', '!',
		'vp8enc', 'deadline=1', 'cpu-used=8', 'keyframe-max-dist=30', `target-bitrate=${videoBitrate}`, '!',
		'rtpvp8pay', `pt=${VIDEO_PT}`, `ssrc=${VIDEO_SSRC}`, 'mtu=1200', 'picture-id-mode=15-bit', '!',
		'funnel', 'name=f', '!',
		...out,
		'udpsink', 'host=127.0.0.1', `port=${port}`, 'sync=false', 'async=false',
		...(audio
			? [
				'audiotestsrc', 'is-live=true', 'wave=sine', 'freq=440', '!',
				'audio/x-raw,rate=48000,channels=2', '!',
				'opusenc', 'bitrate=64000', '!',
				'rtpopuspay', `pt=${AUDIO_PT}`, `ssrc=${AUDIO_SSRC}`, '!',
				'f.',
			]
			: []),
	];
}

/** Caps of a udpsrc receiving one consumer's stream (RTP or SRTP). */
function receiverCaps(consumer, srtpKey, suite = SRTP_SUITE) {
	const codec = consumer.rtpParameters.codecs[0];
	const ssrc = consumer.rtpParameters.encodings[0].ssrc;
	const [media, encodingName] = codec.mimeType.split('/');
	const fields = [
		srtpKey ? 'application/x-srtp' : 'application/x-rtp',
		`media=(string)${media}`,
		`clock-rate=(int)${codec.clockRate}`,
		`encoding-name=(string)${encodingName.toUpperCase()}`,
		`payload=(int)${codec.payloadType}`,
		`ssrc=(uint)${ssrc}`,
	];
	if (srtpKey) {
		const [rtpCipher, rtpAuth, rtcpCipher, rtcpAuth] = GST_SRTP[suite];
		fields.push(
			`srtp-key=(buffer)${srtpKey.toString('hex')}`,
			`srtp-cipher=(string)${rtpCipher}`,
			`srtp-auth=(string)${rtpAuth}`,
			`srtcp-cipher=(string)${rtcpCipher}`,
			`srtcp-auth=(string)${rtcpAuth}`
		);
	}
	return fields.join(',');
}

/**
 * gst-launch arguments of a receiver decoding the video consumer's stream on
 * `videoPort` and the audio consumer's on `audioPort` into fakesinks named
 * vsink/asink (with -v, each decoded buffer prints a `last-message = chain`).
 */
function gstReceiverArgs({ videoPort, videoConsumer, audioPort, audioConsumer, srtpKey = null, suite = SRTP_SUITE }) {
	const dec = srtpKey ? ['srtpdec', '!'] : [];
	return [
		'-v',
		'udpsrc', `port=${videoPort}`, 'address=127.0.0.1', `caps=${receiverCaps(videoConsumer, srtpKey, suite)}`, '!',
		...dec,
		'rtpjitterbuffer', 'latency=50', '!', 'rtpvp8depay', '!', 'vp8dec', '!',
		'fakesink', 'name=vsink', 'silent=false', 'sync=false',
		'udpsrc', `port=${audioPort}`, 'address=127.0.0.1', `caps=${receiverCaps(audioConsumer, srtpKey, suite)}`, '!',
		...dec,
		'rtpjitterbuffer', 'latency=50', '!', 'rtpopusdepay', '!', 'opusdec', '!',
		'fakesink', 'name=asink', 'silent=false', 'sync=false',
	];
}

/**
 * Starts a GStreamer receiver (in network namespace `netns` if given);
 * resolves once its pipeline is PLAYING.
 */
async function startGstReceiver(processes, args, { netns = null } = {}) {
	const counts = { video: 0, audio: 0, width: 0, height: 0 };
	const [cmd, cmdArgs] = netns ? ['ip', ['netns', 'exec', netns, 'gst-launch-1.0', ...args]] : ['gst-launch-1.0', args];
	const proc = processes.spawn(cmd, cmdArgs, {
		name: 'gst receiver',
		onLine: line => {
			if (line.includes('vsink: last-message = chain')) {
				counts.video++;
			} else if (line.includes('asink: last-message = chain')) {
				counts.audio++;
			} else if (line.includes('GstFakeSink:vsink.GstPad:sink: caps = video/x-raw')) {
				counts.width = Number(/width=\(int\)(\d+)/.exec(line)?.[1] ?? 0);
				counts.height = Number(/height=\(int\)(\d+)/.exec(line)?.[1] ?? 0);
			}
		},
	});
	await waitFor(() => proc.stdout.includes('Setting pipeline to PLAYING') || proc.exitCode !== undefined, {
		timeoutMs: 10_000,
		what: 'the GStreamer receiver to start',
	});
	assert.equal(proc.exitCode, undefined, `receiver exited early: ${proc.stderr}`);
	return { proc, counts };
}


module.exports = {
	AUDIO_SSRC,
	VIDEO_SSRC,
	AUDIO_PT,
	VIDEO_PT,
	SRTP_SUITE,
	GST_SRTP,
	audioRtpParameters,
	videoRtpParameters,
	gstSenderArgs,
	receiverCaps,
	gstReceiverArgs,
	startGstReceiver,
};
