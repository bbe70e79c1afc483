// A tiny line graph on a canvas: the last values of a series, newest on the
// right, scaled to the larger of `max` and the series' own peak.

export function drawSparkline(canvas, values, { color = '#58a6ff', max = 1 } = {}) {
	const ratio = window.devicePixelRatio || 1;
	const width = canvas.clientWidth || canvas.width;
	const height = canvas.clientHeight || canvas.height;
	if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
		canvas.width = Math.round(width * ratio);
		canvas.height = Math.round(height * ratio);
	}
	const g = canvas.getContext('2d');
	g.setTransform(ratio, 0, 0, ratio, 0, 0);
	g.clearRect(0, 0, width, height);
	const points = values.filter((v) => Number.isFinite(v));
	if (points.length === 0) {
		return;
	}
	const top = Math.max(max, ...points);
	const step = width / Math.max(1, values.length - 1);
	const y = (v) => height - 1 - (Math.max(0, v) / top) * (height - 2);
	g.beginPath();
	let started = false;
	values.forEach((v, i) => {
		if (!Number.isFinite(v)) {
			return;
		}
		if (started) {
			g.lineTo(i * step, y(v));
		} else {
			g.moveTo(i * step, y(v));
			started = true;
		}
	});
	g.strokeStyle = color;
	g.lineWidth = 1.5;
	g.stroke();
	// A light fill under the line reads better at this size.
	g.lineTo((values.length - 1) * step, height);
	g.lineTo(0, height);
	g.closePath();
	g.globalAlpha = 0.25;
	g.fillStyle = color;
	g.fill();
	g.globalAlpha = 1;
}
