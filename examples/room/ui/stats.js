// Turns stats into the one-a-second samples the graphs show. The browser's
// RTCStatsReports (mediasoup-client's consumer/producer getStats()) give
// bitrate, loss and frame rate as the page sees them; the server's getStats
// reply gives what the SFU sees (layers, scores, its bandwidth estimate).

const all = (report, type) => [...report.values()].filter((s) => s.type === type);

/** Per-second rates of cumulative counters (bytes, packets) between calls. */
export function createRates() {
	const last = new Map();
	return (key, value, at) => {
		const previous = last.get(key);
		last.set(key, { value, at });
		if (!previous || at <= previous.at || value < previous.value) {
			return null;
		}
		return ((value - previous.value) * 1000) / (at - previous.at);
	};
}

/** A remote video consumer: what this browser receives and decodes. */
export function sampleConsumer(rates, id, report, server) {
	const inbound = all(report, 'inbound-rtp').find((s) => s.kind === 'video');
	if (!inbound) {
		return null;
	}
	const at = inbound.timestamp;
	const bytes = rates(`${id}:bytes`, inbound.bytesReceived ?? 0, at);
	const received = rates(`${id}:received`, inbound.packetsReceived ?? 0, at);
	const lost = rates(`${id}:lost`, Math.max(0, inbound.packetsLost ?? 0), at);
	return {
		bitrate: bytes == null ? null : (bytes * 8) / 1000,
		loss: received == null || lost == null ? null : received + lost > 0 ? (100 * lost) / (received + lost) : 0,
		fps: inbound.framesPerSecond ?? 0,
		layer: server?.currentLayers?.spatialLayer ?? null,
		width: inbound.frameWidth ?? 0,
		height: inbound.frameHeight ?? 0,
	};
}

/**
 * The local camera producer: what this browser sends (all simulcast layers
 * together), the loss the SFU reports back in RTCP and how many layers go out.
 */
export function sampleProducer(rates, id, report) {
	const outbound = all(report, 'outbound-rtp').filter((s) => s.kind === 'video');
	if (outbound.length === 0) {
		return null;
	}
	const at = Math.max(...outbound.map((s) => s.timestamp));
	let bitrate = 0;
	let known = true;
	let layers = 0;
	for (const s of outbound) {
		const bytes = rates(`${id}:${s.rid ?? s.ssrc}:bytes`, s.bytesSent ?? 0, at);
		if (bytes == null) {
			known = false;
		} else if (bytes > 0) {
			bitrate += (bytes * 8) / 1000;
			layers += 1;
		}
	}
	const remote = all(report, 'remote-inbound-rtp').filter((s) => s.kind === 'video');
	const loss = remote.length ? 100 * Math.max(...remote.map((s) => s.fractionLost ?? 0)) : 0;
	return {
		bitrate: known ? bitrate : null,
		loss,
		fps: Math.max(0, ...outbound.map((s) => s.framesPerSecond ?? 0)),
		layers: known ? layers : null,
	};
}

/** The browser's own estimate of its uplink (the selected ICE pair). */
export function browserOutgoingBitrate(report) {
	const pair = all(report, 'candidate-pair').find((s) => s.nominated && s.state === 'succeeded');
	return pair?.availableOutgoingBitrate ?? null;
}
