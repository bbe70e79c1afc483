'use strict';

// Minimal PNG decoder for screenshots (8-bit RGB/RGBA, non-interlaced, which
// is what Chromium writes), so tests can look at pixels without a dependency.

const zlib = require('node:zlib');

function paeth(a, b, c) {
	const p = a + b - c;
	const pa = Math.abs(p - a);
	const pb = Math.abs(p - b);
	const pc = Math.abs(p - c);
	if (pa <= pb && pa <= pc) {
		return a;
	}
	return pb <= pc ? b : c;
}

/** Decodes a PNG buffer into { width, height, channels, pixels }. */
function decodePng(buffer) {
	const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
	if (!buffer.subarray(0, 8).equals(signature)) {
		throw new Error('not a PNG');
	}
	let offset = 8;
	let header;
	const idat = [];
	while (offset < buffer.length) {
		const length = buffer.readUInt32BE(offset);
		const type = buffer.toString('latin1', offset + 4, offset + 8);
		const data = buffer.subarray(offset + 8, offset + 8 + length);
		offset += 12 + length;
		if (type === 'IHDR') {
			header = {
				width: data.readUInt32BE(0),
				height: data.readUInt32BE(4),
				bitDepth: data[8],
				colorType: data[9],
				interlace: data[12],
			};
		} else if (type === 'IDAT') {
			idat.push(data);
		} else if (type === 'IEND') {
			break;
		}
	}
	if (!header || header.bitDepth !== 8 || header.interlace !== 0) {
		throw new Error('unsupported PNG (only 8-bit, non-interlaced)');
	}
	const channels = { 2: 3, 6: 4, 0: 1, 4: 2 }[header.colorType];
	if (!channels) {
		throw new Error(`unsupported PNG color type ${header.colorType}`);
	}
	const { width, height } = header;
	const raw = zlib.inflateSync(Buffer.concat(idat));
	const stride = width * channels;
	const pixels = Buffer.alloc(stride * height);
	for (let y = 0; y < height; y++) {
		const filter = raw[y * (stride + 1)];
		const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
		const out = y * stride;
		for (let x = 0; x < stride; x++) {
			const a = x >= channels ? pixels[out + x - channels] : 0;
			const b = y > 0 ? pixels[out - stride + x] : 0;
			const c = x >= channels && y > 0 ? pixels[out - stride + x - channels] : 0;
			let value = line[x];
			switch (filter) {
				case 0:
					break;
				case 1:
					value += a;
					break;
				case 2:
					value += b;
					break;
				case 3:
					value += (a + b) >> 1;
					break;
				case 4:
					value += paeth(a, b, c);
					break;
				default:
					throw new Error(`bad PNG filter ${filter}`);
			}
			pixels[out + x] = value & 0xff;
		}
	}
	return { width, height, channels, pixels };
}

/** Share of pixels whose brightest colour channel exceeds `threshold`. */
function nonBlackShare({ width, height, channels, pixels }, threshold = 40) {
	const colour = Math.min(channels, 3);
	let lit = 0;
	for (let i = 0; i < width * height; i++) {
		let max = 0;
		for (let c = 0; c < colour; c++) {
			max = Math.max(max, pixels[i * channels + c]);
		}
		if (max > threshold) {
			lit++;
		}
	}
	return lit / (width * height);
}

module.exports = { decodePng, nonBlackShare };
