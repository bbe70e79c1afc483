// Video tiles: the local one ("me"), one per remote participant (camera and
// microphone) and one per screen share. A tile shows its video, a caption
// with mute / camera-off / speaking state, a stats overlay of sparklines
// and, on remote camera tiles, a layer picker.

import { createGraphs } from './graphs.js';

const kbps = (v) => (v >= 1000 ? `${(v / 1000).toFixed(1)} Mb/s` : `${Math.round(v)} kb/s`);

// What each kind of tile graphs (keys filled in by stats.js).
const GRAPHS = {
	me: [
		{ key: 'bitrate', label: 'sent', color: '#58a6ff', max: 300, format: kbps },
		{ key: 'loss', label: 'loss', color: '#ff7b72', max: 5, format: (v) => `${v.toFixed(1)} %` },
		{ key: 'fps', label: 'fps', color: '#7ee787', max: 30, format: (v) => v.toFixed(0) },
		{ key: 'layers', label: 'layers', color: '#d2a8ff', max: 3, format: (v) => `${v} sent` },
	],
	remote: [
		{ key: 'bitrate', label: 'recv', color: '#58a6ff', max: 300, format: kbps },
		{ key: 'loss', label: 'loss', color: '#ff7b72', max: 5, format: (v) => `${v.toFixed(1)} %` },
		{ key: 'fps', label: 'fps', color: '#7ee787', max: 30, format: (v) => v.toFixed(0) },
		{ key: 'layer', label: 'layer', color: '#d2a8ff', max: 2, format: (v) => `S${v}` },
	],
};
GRAPHS.share = GRAPHS.remote.filter((g) => g.key !== 'layer');

/**
 * A new tile in `container`. `kind`: 'me', 'remote' or 'share';
 * `onLayers(choice)` (remote tiles) is called with
 * `{ spatialLayer, temporalLayer, priority }` when the picker changes.
 */
export function createTile(container, { kind, peerId, caption, onLayers }) {
	const element = document.createElement('figure');
	element.className = `tile ${kind}`;
	if (kind === 'me') {
		element.id = 'me';
	}
	if (peerId) {
		element.dataset.peerId = peerId;
	}
	element.innerHTML = `
		<video autoplay playsinline muted></video>
		<div class="off">camera off</div>
		<div class="stats"></div>
		<figcaption></figcaption>`;
	// Only the name in the caption's text; "muted" and "speaking" are CSS.
	element.querySelector('figcaption').textContent = caption;
	const graphs = createGraphs(element.querySelector('.stats'), GRAPHS[kind]);

	let layersText = null;
	if (kind === 'remote') {
		const picker = document.createElement('div');
		picker.className = 'layers';
		const options = (n) => [...Array(n).keys()].map((i) => `<option value="${i}">${i}</option>`).join('');
		// Spatial and temporal layer, and the consumer's priority when the
		// bandwidth is short (higher is served first).
		picker.innerHTML = `
			<label title="spatial layer (resolution)">S <select name="spatial">${options(3)}</select></label>
			<label title="temporal layer (frame rate)">T <select name="temporal">${options(3)}</select></label>
			<label title="priority">P <select name="priority"><option>1</option><option>2</option><option>3</option></select></label>
			<span class="now"></span>`;
		picker.querySelector('[name=spatial]').value = '2';
		picker.querySelector('[name=temporal]').value = '2';
		picker.addEventListener('change', () => {
			onLayers?.({
				spatialLayer: Number(picker.querySelector('[name=spatial]').value),
				temporalLayer: Number(picker.querySelector('[name=temporal]').value),
				priority: Number(picker.querySelector('[name=priority]').value),
			});
		});
		element.append(picker);
		layersText = picker.querySelector('.now');
	}
	container.append(element);

	const video = element.querySelector('video');
	const tile = {
		element,
		video,
		graphs,
		layers: null,
		setCaption(text) {
			element.querySelector('figcaption').textContent = text;
		},
		setVideo(track) {
			video.srcObject = track ? new MediaStream([track]) : null;
			video.play().catch(() => {});
		},
		setVideoPaused(paused) {
			element.classList.toggle('video-paused', paused);
		},
		setAudioPaused(paused) {
			element.classList.toggle('audio-paused', paused);
		},
		setSpeaking(speaking) {
			element.classList.toggle('speaking', speaking);
		},
		/** The layers the SFU forwards now (layerschange) and the decoded size. */
		setLayers(layers) {
			tile.layers = layers;
			tile.showLayers();
		},
		showLayers() {
			if (!layersText) {
				return;
			}
			const l = tile.layers;
			const now = l ? `S${l.spatialLayer} T${l.temporalLayer ?? '–'}` : 'no layer';
			const size = video.videoWidth ? ` · ${video.videoWidth}×${video.videoHeight}` : '';
			layersText.textContent = `${now}${size}`;
		},
		remove() {
			video.srcObject = null;
			element.remove();
		},
	};
	video.addEventListener('resize', () => tile.showLayers());
	return tile;
}
