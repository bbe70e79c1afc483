// Page script of the room demo (bundled by server.js with esbuild).
// Joins the room over the WebSocket, publishes camera + microphone and shows
// one tile per participant; the chat goes over DataChannels (SCTP).

import { Device } from 'mediasoup-client';

const $ = (selector) => document.querySelector(selector);

/** The page's state, also read by __test__/demo.test.js. */
const demo = {
	peerId: null,
	displayName: null,
	peers: new Map(), // peerId -> { displayName, tile, consumers: Map }
	consumers: new Map(), // consumerId -> { consumer, peerId }
	producers: [],
	dataConsumers: new Map(), // dataConsumerId -> { dataConsumer, peerId }
	chat: [], // { from, text } as shown
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

// --- signalling -------------------------------------------------------------

const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
const socket = new WebSocket(socketUrl);
const pending = new Map();
let nextId = 1;
let notifications = Promise.resolve();

function request(method, data = {}) {
	return new Promise((resolve, reject) => {
		const id = nextId++;
		pending.set(id, { resolve, reject });
		socket.send(JSON.stringify({ id, method, data }));
	});
}

socket.addEventListener('message', ({ data }) => {
	const message = JSON.parse(data);
	if (message.notification) {
		// One at a time, in order: a consumerClosed must find its consumer.
		notifications = notifications
			.then(() => onNotification(message.method, message.data))
			.catch((error) => console.error(message.method, error));
		return;
	}
	const handlers = pending.get(message.id);
	if (!handlers) {
		return;
	}
	pending.delete(message.id);
	if (message.ok) {
		handlers.resolve(message.data);
	} else {
		handlers.reject(new Error(message.error));
	}
});

socket.addEventListener('close', () => {
	for (const { reject } of pending.values()) {
		reject(new Error('connection closed'));
	}
	pending.clear();
	setStatus('disconnected from the server', demo.status === 'connecting' ? new Error('cannot reach the server') : null);
});

// --- tiles ------------------------------------------------------------------

function peerTile(peerId, displayName) {
	let peer = demo.peers.get(peerId);
	if (!peer) {
		const tile = document.createElement('figure');
		tile.className = 'tile remote';
		tile.dataset.peerId = peerId;
		tile.innerHTML = '<video autoplay playsinline muted></video><figcaption></figcaption>';
		tile.querySelector('figcaption').textContent = displayName;
		$('#tiles').appendChild(tile);
		peer = { displayName, tile, consumers: new Map() };
		demo.peers.set(peerId, peer);
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
	$('#count').textContent = others === 0 ? 'Nobody else here yet: open this page in another tab.' : `${others} other participant${others === 1 ? '' : 's'}`;
}

function attach(peer, consumer) {
	const { track } = consumer;
	if (track.kind === 'video') {
		const video = peer.tile.querySelector('video');
		video.srcObject = new MediaStream([track]);
		video.play().catch(() => {});
	} else {
		const audio = document.createElement('audio');
		audio.autoplay = true;
		audio.dataset.consumerId = consumer.id;
		audio.srcObject = new MediaStream([track]);
		peer.tile.appendChild(audio);
		audio.play().catch(() => showAudioButton());
	}
}

function removeConsumer(consumerId) {
	const entry = demo.consumers.get(consumerId);
	if (!entry) {
		return;
	}
	demo.consumers.delete(consumerId);
	entry.consumer.close();
	const peer = demo.peers.get(entry.peerId);
	if (!peer) {
		return;
	}
	peer.consumers.delete(consumerId);
	if (entry.consumer.kind === 'video') {
		peer.tile.querySelector('video').srcObject = null;
	} else {
		peer.tile.querySelector(`audio[data-consumer-id="${consumerId}"]`)?.remove();
	}
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

let chatProducer;

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

let device;
let sendTransport;
let recvTransport;

async function createTransport(direction) {
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
			const consumer = await recvTransport.consume({
				id: data.id,
				producerId: data.producerId,
				kind: data.kind,
				rtpParameters: data.rtpParameters,
			});
			demo.consumers.set(consumer.id, { consumer, peerId: data.peerId });
			peer.consumers.set(consumer.id, consumer);
			attach(peer, consumer);
			await request('resumeConsumer', { consumerId: consumer.id });
			break;
		}
		case 'consumerClosed':
			removeConsumer(data.consumerId);
			break;
		case 'newDataConsumer': {
			const dataConsumer = await recvTransport.consumeData({
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

async function start() {
	await new Promise((resolve, reject) => {
		socket.addEventListener('open', resolve, { once: true });
		socket.addEventListener('error', () => reject(new Error('cannot reach the server')), { once: true });
	});
	setStatus('joining');
	device = new Device();
	await device.load({ routerRtpCapabilities: await request('getRouterRtpCapabilities') });
	sendTransport = await createTransport('send');
	recvTransport = await createTransport('recv');

	const joined = await request('join', { rtpCapabilities: device.rtpCapabilities });
	demo.peerId = joined.peerId;
	demo.worker = joined.worker;
	demo.displayName = joined.displayName;
	// With several workers, which one serves this tab.
	const where = joined.workers > 1 ? ` · worker ${joined.worker + 1} of ${joined.workers}` : '';
	$('#me figcaption').textContent = `${joined.displayName} (you)${where}`;
	for (const peer of joined.peers) {
		peerTile(peer.id, peer.displayName);
	}
	updateCount();

	chatProducer = await sendTransport.produceData({ ordered: true, label: 'chat' });
	chatProducer.on('open', () => {
		$('#chat input').disabled = false;
	});

	setStatus('starting camera and microphone');
	const stream = await navigator.mediaDevices.getUserMedia({
		audio: true,
		video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { ideal: 30 } },
	});
	const local = $('#me video');
	local.srcObject = new MediaStream(stream.getVideoTracks());
	local.play().catch(() => {});
	for (const track of stream.getTracks()) {
		demo.producers.push(await sendTransport.produce({ track }));
	}
	setStatus('live');
}

if (!navigator.mediaDevices) {
	setStatus('no camera access', new Error('this page must be opened over https:// or on http://localhost'));
} else {
	start().catch((error) => {
		console.error(error);
		setStatus('failed', error);
	});
}
