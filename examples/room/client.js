// Page script of the room demo (bundled by server.js with esbuild).
// Joins the room over the WebSocket, publishes camera (3-layer simulcast when
// the camera is large enough) and microphone, and shows one tile per
// participant and per screen share; the chat goes over DataChannels (SCTP).
// The header's buttons mute, turn the camera off, share the screen and
// leave/rejoin; remote tiles pick the layers they receive; every tile and
// the room panel graph the last 30 s of stats.

import { Device } from 'mediasoup-client';
import { connect } from './ui/signalling.js';
import { createTile } from './ui/tiles.js';
import { createGraphs } from './ui/graphs.js';
import { createControls } from './ui/controls.js';
import { fakeScreenTrack } from './ui/fake-screen.js';
import { browserOutgoingBitrate, createRates, sampleConsumer, sampleProducer } from './ui/stats.js';

const $ = (selector) => document.querySelector(selector);
const params = new URLSearchParams(location.search);

/** The page's state, also read by __test__/demo*.test.js. */
const demo = {
	peerId: null,
	displayName: null,
	worker: null,
	joined: false,
	peers: new Map(), // peerId -> { displayName, tile, consumers: Map, videoPaused, audioPaused }
	consumers: new Map(), // consumerId -> { consumer, peerId, source, tile, producerPaused, layers }
	shares: new Map(), // consumerId -> tile of a remote screen share
	producers: [],
	dataConsumers: new Map(), // dataConsumerId -> { dataConsumer, peerId }
	chat: [], // { from, text } as shown
	dominantSpeaker: null,
	me: null, // the local tile
	room: null, // the room panel's graphs
	lastStats: null, // the server's last getStats reply
	status: 'connecting',
	error: null,
};
window.demo = demo;

function setStatus(text, error) {
	demo.status = text;
	if (error) {
		demo.error = String(error.message ?? error);
	}
	$('#status').textContent = error ? `${text}: ${demo.error}` : text;
	$('#status').className = error ? 'error' : '';
}

// One session per join: a new socket, device, transports and media; leaving
// closes all of it (the server drops the peer when its socket closes).
let session = null;

function request(method, data) {
	if (!session) {
		return Promise.reject(new Error('not joined'));
	}
	return session.signalling.request(method, data);
}

// --- tiles ------------------------------------------------------------------

function peerTile(peerId, displayName) {
	let peer = demo.peers.get(peerId);
	if (!peer) {
		const tile = createTile($('#tiles'), {
			kind: 'remote',
			peerId,
			caption: displayName,
			onLayers: (choice) => chooseLayers(peerId, choice),
		});
		peer = { displayName, tile, consumers: new Map(), videoPaused: false, audioPaused: false };
		demo.peers.set(peerId, peer);
		tile.setSpeaking(demo.dominantSpeaker === peerId);
		updateCount();
	}
	return peer;
}

function removePeer(peerId) {
	const peer = demo.peers.get(peerId);
	if (!peer) {
		return;
	}
	for (const consumerId of peer.consumers.keys()) {
		removeConsumer(consumerId);
	}
	peer.tile.remove();
	demo.peers.delete(peerId);
	updateCount();
}

function updateCount() {
	const others = demo.peers.size;
	$('#count').textContent = !demo.joined
		? ''
		: others === 0
			? 'Nobody else here yet: open this page in another tab.'
			: `${others} other participant${others === 1 ? '' : 's'}`;
}

/** The camera consumer of a remote peer (the one its layer picker drives). */
function cameraConsumer(peerId) {
	return [...demo.consumers.values()].find((e) => e.peerId === peerId && e.source === 'camera');
}

async function chooseLayers(peerId, { spatialLayer, temporalLayer, priority }) {
	const entry = cameraConsumer(peerId);
	if (!entry) {
		return;
	}
	await request('setConsumerPreferredLayers', { consumerId: entry.consumer.id, spatialLayer, temporalLayer });
	await request('setConsumerPriority', { consumerId: entry.consumer.id, priority });
}

function attach(peer, entry) {
	const { consumer } = entry;
	if (entry.source === 'screen') {
		const tile = createTile($('#tiles'), {
			kind: 'share',
			peerId: entry.peerId,
			caption: `${peer.displayName}'s screen`,
		});
		tile.setVideo(consumer.track);
		entry.tile = tile;
		demo.shares.set(consumer.id, tile);
	} else if (consumer.kind === 'video') {
		entry.tile = peer.tile;
		peer.tile.setVideo(consumer.track);
		setPaused(entry, entry.producerPaused);
	} else {
		const audio = document.createElement('audio');
		audio.autoplay = true;
		audio.dataset.consumerId = consumer.id;
		audio.srcObject = new MediaStream([consumer.track]);
		peer.tile.element.appendChild(audio);
		audio.play().catch(() => showAudioButton());
		setPaused(entry, entry.producerPaused);
	}
}

/** A remote producer paused or resumed: grey the tile, show the muted mic. */
function setPaused(entry, paused) {
	entry.producerPaused = paused;
	const peer = demo.peers.get(entry.peerId);
	if (entry.source === 'screen') {
		entry.tile?.setVideoPaused(paused);
	} else if (peer && entry.consumer.kind === 'video') {
		peer.videoPaused = paused;
		peer.tile.setVideoPaused(paused);
	} else if (peer) {
		peer.audioPaused = paused;
		peer.tile.setAudioPaused(paused);
	}
}

function removeConsumer(consumerId) {
	const entry = demo.consumers.get(consumerId);
	if (!entry) {
		return;
	}
	demo.consumers.delete(consumerId);
	entry.consumer.close();
	if (entry.source === 'screen') {
		entry.tile?.remove();
		demo.shares.delete(consumerId);
		return;
	}
	const peer = demo.peers.get(entry.peerId);
	if (!peer) {
		return;
	}
	peer.consumers.delete(consumerId);
	if (entry.consumer.kind === 'video') {
		peer.tile.setVideo(null);
		peer.tile.setVideoPaused(false);
	} else {
		peer.tile.element.querySelector(`audio[data-consumer-id="${consumerId}"]`)?.remove();
	}
}

function setDominantSpeaker(peerId) {
	demo.dominantSpeaker = peerId;
	for (const [id, peer] of demo.peers) {
		peer.tile.setSpeaking(id === peerId);
	}
	demo.me?.setSpeaking(peerId === demo.peerId);
}

// Browsers may refuse to play sound before the user interacts with the page.
function showAudioButton() {
	const button = $('#unmute');
	button.hidden = false;
	button.onclick = () => {
		for (const audio of document.querySelectorAll('audio')) {
			audio.play().catch(() => {});
		}
		button.hidden = true;
	};
}

// --- chat -------------------------------------------------------------------

function addChat(from, text) {
	demo.chat.push({ from, text });
	const line = document.createElement('li');
	const who = document.createElement('b');
	who.textContent = `${from}: `;
	line.append(who, document.createTextNode(text));
	$('#chat ul').append(line);
	line.scrollIntoView({ block: 'nearest' });
}

/** Sends a chat line to everyone (and shows it here). */
function sendChat(text) {
	const chatProducer = session?.chatProducer;
	if (!chatProducer || chatProducer.readyState !== 'open' || !text.trim()) {
		return false;
	}
	chatProducer.send(text);
	addChat(`${demo.displayName} (you)`, text);
	return true;
}
demo.sendChat = sendChat;

$('#chat form').addEventListener('submit', (event) => {
	event.preventDefault();
	const input = $('#chat input');
	if (sendChat(input.value)) {
		input.value = '';
	}
});

// --- media ------------------------------------------------------------------

async function createTransport(direction) {
	const { device } = session;
	const params = await request('createWebRtcTransport', {
		producing: direction === 'send',
		consuming: direction === 'recv',
		sctpCapabilities: device.sctpCapabilities,
	});
	const transport =
		direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);
	transport.on('connect', ({ dtlsParameters }, callback, errback) => {
		request('connectWebRtcTransport', { transportId: transport.id, dtlsParameters })
			.then(callback)
			.catch(errback);
	});
	transport.on('connectionstatechange', (state) => {
		if (state === 'failed') {
			setStatus(`${direction} connection failed`, new Error('ICE/DTLS failed'));
		}
	});
	if (direction === 'send') {
		transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
			request('produce', { transportId: transport.id, kind, rtpParameters, appData })
				.then(({ id }) => callback({ id }))
				.catch(errback);
		});
		transport.on('producedata', ({ sctpStreamParameters, label, protocol }, callback, errback) => {
			request('produceData', { transportId: transport.id, sctpStreamParameters, label, protocol })
				.then(({ id }) => callback({ id }))
				.catch(errback);
		});
	}
	return transport;
}

async function onNotification(method, data) {
	switch (method) {
		case 'newPeer':
			peerTile(data.id, data.displayName);
			break;
		case 'peerClosed':
			removePeer(data.peerId);
			break;
		case 'newConsumer': {
			const peer = peerTile(data.peerId, data.displayName);
			const consumer = await session.recvTransport.consume({
				id: data.id,
				producerId: data.producerId,
				kind: data.kind,
				rtpParameters: data.rtpParameters,
			});
			const entry = {
				consumer,
				peerId: data.peerId,
				source: data.source,
				tile: null,
				producerPaused: data.producerPaused,
				layers: null,
			};
			demo.consumers.set(consumer.id, entry);
			if (data.source !== 'screen') {
				peer.consumers.set(consumer.id, consumer);
			}
			attach(peer, entry);
			await request('resumeConsumer', { consumerId: consumer.id });
			break;
		}
		case 'consumerClosed':
			removeConsumer(data.consumerId);
			break;
		case 'producerPaused':
		case 'producerResumed': {
			const entry = demo.consumers.get(data.consumerId);
			if (entry) {
				setPaused(entry, method === 'producerPaused');
			}
			break;
		}
		case 'consumerLayersChanged': {
			const entry = demo.consumers.get(data.consumerId);
			if (entry) {
				entry.layers = data.layers;
				if (entry.source === 'camera') {
					demo.peers.get(entry.peerId)?.tile.setLayers(data.layers);
				}
			}
			break;
		}
		case 'dominantSpeaker':
			setDominantSpeaker(data.peerId);
			break;
		case 'newDataConsumer': {
			const dataConsumer = await session.recvTransport.consumeData({
				id: data.id,
				dataProducerId: data.dataProducerId,
				sctpStreamParameters: data.sctpStreamParameters,
				label: data.label,
				protocol: data.protocol,
			});
			demo.dataConsumers.set(dataConsumer.id, { dataConsumer, peerId: data.peerId });
			dataConsumer.on('message', (message) => {
				if (typeof message === 'string') {
					addChat(demo.peers.get(data.peerId)?.displayName ?? data.displayName, message);
				}
			});
			break;
		}
		case 'dataConsumerClosed': {
			demo.dataConsumers.get(data.dataConsumerId)?.dataConsumer.close();
			demo.dataConsumers.delete(data.dataConsumerId);
			break;
		}
		default:
			break;
	}
}

/**
 * Simulcast encodings for a camera of `width` pixels: Chromium sends 3
 * layers only from about 960 pixels wide (2 from 480), so ask for what it
 * will send.
 */
function simulcastEncodings(width) {
	if (width >= 960) {
		return [
			{ scaleResolutionDownBy: 4, maxBitrate: 150_000 },
			{ scaleResolutionDownBy: 2, maxBitrate: 500_000 },
			{ scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
		];
	}
	if (width >= 480) {
		return [
			{ scaleResolutionDownBy: 2, maxBitrate: 250_000 },
			{ scaleResolutionDownBy: 1, maxBitrate: 900_000 },
		];
	}
	return undefined;
}

async function join() {
	const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
	const current = {
		signalling: connect(socketUrl, (method, data) => onNotification(method, data)),
		producers: {}, // mic, camera, screen
		leaving: false,
	};
	session = current;
	current.signalling.closed.then(() => {
		if (session === current && !current.leaving) {
			setStatus('disconnected from the server', demo.status === 'connecting' ? new Error('cannot reach the server') : null);
		}
	});
	await current.signalling.opened;
	setStatus('joining');
	current.device = new Device();
	await current.device.load({ routerRtpCapabilities: await request('getRouterRtpCapabilities') });
	current.sendTransport = await createTransport('send');
	current.recvTransport = await createTransport('recv');

	const joined = await request('join', { rtpCapabilities: current.device.rtpCapabilities });
	demo.joined = true;
	demo.peerId = joined.peerId;
	demo.worker = joined.worker;
	demo.displayName = joined.displayName;
	// With several workers, which one serves this tab.
	const where = joined.workers > 1 ? ` · worker ${joined.worker + 1} of ${joined.workers}` : '';
	demo.me = createTile($('#tiles'), { kind: 'me', caption: `${joined.displayName} (you)${where}` });
	$('#tiles').prepend(demo.me.element);
	for (const peer of joined.peers) {
		peerTile(peer.id, peer.displayName);
	}
	setDominantSpeaker(joined.dominantSpeaker);
	updateCount();
	updateControls();

	current.chatProducer = await current.sendTransport.produceData({ ordered: true, label: 'chat' });
	current.chatProducer.on('open', () => {
		$('#chat input').disabled = false;
	});

	setStatus('starting camera and microphone');
	// 1280x720 where the camera has it, so that 3 simulcast layers exist.
	current.stream = await navigator.mediaDevices.getUserMedia({
		audio: true,
		video: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
	});
	const [audioTrack] = current.stream.getAudioTracks();
	const [videoTrack] = current.stream.getVideoTracks();
	if (videoTrack) {
		demo.me.setVideo(videoTrack);
		current.producers.camera = await current.sendTransport.produce({
			track: videoTrack,
			encodings: simulcastEncodings(videoTrack.getSettings().width ?? 0),
			codecOptions: { videoGoogleStartBitrate: 1000 },
			appData: { source: 'camera' },
		});
		demo.producers.push(current.producers.camera);
	}
	if (audioTrack) {
		current.producers.mic = await current.sendTransport.produce({ track: audioTrack, appData: { source: 'mic' } });
		demo.producers.push(current.producers.mic);
	}
	updateControls();
	// One poll at a time: a slow one (a busy machine) skips a tick.
	current.statsTimer = setInterval(() => {
		if (!current.polling) {
			current.polling = pollStats(current)
				.catch(() => {})
				.finally(() => {
					current.polling = null;
				});
		}
	}, 1000);
	setStatus('live');
}

async function leave() {
	const current = session;
	if (!current) {
		return;
	}
	current.leaving = true;
	clearInterval(current.statsTimer);
	current.screenTrack?.stop();
	current.screenTile?.remove();
	for (const track of current.stream?.getTracks() ?? []) {
		track.stop();
	}
	current.sendTransport?.close();
	current.recvTransport?.close();
	current.signalling.close();
	session = null;
	for (const peerId of [...demo.peers.keys()]) {
		removePeer(peerId);
	}
	for (const consumerId of [...demo.consumers.keys()]) {
		removeConsumer(consumerId);
	}
	demo.dataConsumers.clear();
	demo.producers = [];
	demo.me?.remove();
	demo.me = null;
	demo.joined = false;
	demo.peerId = null;
	demo.dominantSpeaker = null;
	$('#chat input').disabled = true;
	demo.room.clear();
	demo.room.draw();
	$('#room .workers').textContent = '';
	updateCount();
	updateControls();
	setStatus('left the room');
}

/** Pauses or resumes a producer here and on the server (its consumers follow). */
async function toggleProducer(producer) {
	if (producer.paused) {
		await request('resumeProducer', { producerId: producer.id });
		producer.resume();
	} else {
		producer.pause();
		await request('pauseProducer', { producerId: producer.id });
	}
}

async function toggleScreen() {
	const current = session;
	if (current.producers.screen) {
		const producer = current.producers.screen;
		current.producers.screen = null;
		producer.close();
		current.screenTrack?.stop();
		current.screenTile?.remove();
		updateControls();
		await request('closeProducer', { producerId: producer.id }).catch(() => {});
		return;
	}
	// The real screen picker for people; a drawn canvas when the page is
	// opened with ?fakeScreen=1 (headless tests have no screen to pick).
	const track = params.has('fakeScreen')
		? fakeScreenTrack()
		: (await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: 15 }, audio: false })).getVideoTracks()[0];
	current.screenTrack = track;
	current.producers.screen = await current.sendTransport.produce({ track, appData: { source: 'screen' } });
	current.screenTile = createTile($('#tiles'), { kind: 'share', caption: 'your screen' });
	current.screenTile.element.id = 'my-screen';
	current.screenTile.setVideo(track);
	// The browser's own "Stop sharing" ends the track.
	track.addEventListener('ended', () => {
		if (current.producers.screen) {
			toggleScreen().catch(() => {});
		}
	});
	updateControls();
}

const controls = createControls({
	onMic: () => toggleProducer(session.producers.mic).then(updateControls),
	onCamera: async () => {
		await toggleProducer(session.producers.camera);
		demo.me.setVideoPaused(session.producers.camera.paused);
		updateControls();
	},
	onScreen: () => toggleScreen(),
	onLeave: () => (session ? leave() : join().catch((error) => setStatus('failed', error))),
});

function updateControls() {
	const producers = session?.producers ?? {};
	controls.update({
		joined: demo.joined,
		mic: Boolean(producers.mic && !producers.mic.paused),
		camera: Boolean(producers.camera && !producers.camera.paused),
		screen: Boolean(producers.screen),
	});
	demo.me?.setAudioPaused(Boolean(producers.mic?.paused));
}

// --- stats ------------------------------------------------------------------

const kbps = (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} Mb/s` : `${Math.round(v)} kb/s`);
demo.room = createGraphs($('#room .graphs'), [
	{ key: 'cpu', label: 'worker CPU', color: '#ffa657', max: 10, format: (v) => `${v.toFixed(0)} %` },
	{ key: 'sfuBitrate', label: 'SFU → you (estimate)', color: '#58a6ff', max: 1000, format: kbps },
	{ key: 'browserBitrate', label: 'you → SFU (estimate)', color: '#7ee787', max: 1000, format: kbps },
]);
const rates = createRates();

/**
 * Once a second: the server's stats of this page's consumers, producers and
 * transports, and the browser's own, into each tile's graphs and the room
 * panel.
 */
async function pollStats(current) {
	const server = await request('getStats');
	if (session !== current) {
		return;
	}
	demo.lastStats = server;
	for (const [consumerId, entry] of demo.consumers) {
		if (entry.consumer.kind !== 'video' || !entry.tile) {
			continue;
		}
		const report = await entry.consumer.getStats().catch(() => null);
		const sample = report && sampleConsumer(rates, consumerId, report, server.consumers[consumerId]);
		if (sample) {
			for (const key of ['bitrate', 'loss', 'fps', 'layer']) {
				if (entry.source === 'camera' || key !== 'layer') {
					entry.tile.graphs.push(key, sample[key]);
				}
			}
			entry.tile.graphs.draw();
			entry.tile.showLayers();
		}
	}
	const camera = current.producers.camera;
	if (camera && !camera.closed && demo.me) {
		const report = await camera.getStats().catch(() => null);
		const sample = report && sampleProducer(rates, camera.id, report);
		if (sample) {
			for (const key of ['bitrate', 'loss', 'fps', 'layers']) {
				demo.me.graphs.push(key, sample[key]);
			}
			demo.me.graphs.draw();
		}
	}
	const recv = Object.values(server.transports).find((t) => t.consuming);
	const sendReport = await current.sendTransport.getStats().catch(() => null);
	const browserBitrate = sendReport && browserOutgoingBitrate(sendReport);
	demo.room.push('cpu', server.workers[server.worker]?.cpu);
	demo.room.push('sfuBitrate', recv?.availableOutgoingBitrate == null ? null : recv.availableOutgoingBitrate / 1000);
	demo.room.push('browserBitrate', browserBitrate == null ? null : browserBitrate / 1000);
	demo.room.draw();
	$('#room .workers').textContent = server.workers
		.map((w) => `worker ${w.index + 1}${w.index === server.worker ? ' (yours)' : ''}: ${w.cpu == null ? '–' : `${w.cpu.toFixed(0)} %`}`)
		.join(' · ');
}

// --- start ------------------------------------------------------------------

if (!navigator.mediaDevices) {
	setStatus('no camera access', new Error('this page must be opened over https:// or on http://localhost'));
} else {
	updateControls();
	join().catch((error) => {
		console.error(error);
		setStatus('failed', error);
	});
}
