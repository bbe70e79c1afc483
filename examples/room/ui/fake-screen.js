// A stand-in for getDisplayMedia() where there is no screen to pick (the
// headless tests open the page with ?fakeScreen=1): a canvas drawn like a
// slide with a moving clock, captured as a video track.

export function fakeScreenTrack({ width = 1280, height = 720, frameRate = 15 } = {}) {
	const canvas = document.createElement('canvas');
	canvas.width = width;
	canvas.height = height;
	const g = canvas.getContext('2d');
	const draw = () => {
		g.fillStyle = '#f4f1e8';
		g.fillRect(0, 0, width, height);
		g.fillStyle = '#1f6feb';
		g.fillRect(0, 0, width, height / 6);
		g.textAlign = 'center';
		g.fillStyle = '#ffffff';
		g.font = `bold ${height / 12}px sans-serif`;
		g.fillText('Shared screen', width / 2, height / 9);
		g.fillStyle = '#333333';
		g.font = `${height / 10}px sans-serif`;
		g.fillText(new Date().toISOString().slice(11, 23), width / 2, height / 2);
		const x = ((performance.now() / 10) % width) | 0;
		g.fillStyle = '#d29922';
		g.fillRect(x, (height * 2) / 3, width / 10, height / 10);
	};
	draw();
	// A timer, not requestAnimationFrame: it keeps drawing in a hidden tab.
	const timer = setInterval(draw, 1000 / frameRate);
	const [track] = canvas.captureStream(frameRate).getVideoTracks();
	track.addEventListener('ended', () => clearInterval(timer));
	const stop = track.stop.bind(track);
	track.stop = () => {
		clearInterval(timer);
		stop();
	};
	return track;
}
