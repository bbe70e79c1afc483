'use strict';

// A minimal ICE client side of STUN (RFC 5389 / RFC 8445) for tests: Binding
// requests with USERNAME, PRIORITY, ICE-CONTROLLING, USE-CANDIDATE,
// MESSAGE-INTEGRITY and FINGERPRINT, RFC 4571 framing for ICE-TCP, and a
// parser for the answers.

const crypto = require('node:crypto');
const zlib = require('node:zlib');

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const BINDING_ERROR = 0x0111;
const ATTR = {
	USERNAME: 0x0006,
	MESSAGE_INTEGRITY: 0x0008,
	ERROR_CODE: 0x0009,
	PRIORITY: 0x0024,
	USE_CANDIDATE: 0x0025,
	FINGERPRINT: 0x8028,
	ICE_CONTROLLING: 0x802a,
};

function attribute(type, value) {
	const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
	padded.writeUInt16BE(type, 0);
	padded.writeUInt16BE(value.length, 2);
	value.copy(padded, 4);
	return padded;
}

/**
 * A Binding request as an ICE controlling agent sends it.
 * `username` is `<their ufrag>:<our ufrag>`; `password` keys
 * MESSAGE-INTEGRITY (pass a wrong one to be rejected).
 */
function bindingRequest({ username, password, useCandidate = true, transactionId }) {
	const tid = transactionId ?? crypto.randomBytes(12);
	const priority = Buffer.alloc(4);
	priority.writeUInt32BE(0x6e7f00ff);
	const tieBreaker = crypto.randomBytes(8);
	const attrs = [
		attribute(ATTR.USERNAME, Buffer.from(username)),
		attribute(ATTR.PRIORITY, priority),
		attribute(ATTR.ICE_CONTROLLING, tieBreaker),
	];
	if (useCandidate) {
		attrs.push(attribute(ATTR.USE_CANDIDATE, Buffer.alloc(0)));
	}
	let body = Buffer.concat(attrs);
	const header = (length) => {
		const h = Buffer.alloc(20);
		h.writeUInt16BE(BINDING_REQUEST, 0);
		h.writeUInt16BE(length, 2);
		h.writeUInt32BE(MAGIC_COOKIE, 4);
		tid.copy(h, 8);
		return h;
	};
	// MESSAGE-INTEGRITY covers the message with its length already counting
	// the integrity attribute itself (24 bytes).
	const hmac = crypto
		.createHmac('sha1', password)
		.update(Buffer.concat([header(body.length + 24), body]))
		.digest();
	body = Buffer.concat([body, attribute(ATTR.MESSAGE_INTEGRITY, hmac)]);
	// FINGERPRINT likewise counts itself (8 bytes).
	const crc = (zlib.crc32(Buffer.concat([header(body.length + 8), body])) ^ 0x5354554e) >>> 0;
	const fingerprint = Buffer.alloc(4);
	fingerprint.writeUInt32BE(crc);
	body = Buffer.concat([body, attribute(ATTR.FINGERPRINT, fingerprint)]);
	return Buffer.concat([header(body.length), body]);
}

/**
 * Parses a STUN message: { type: 'success' | 'error' | 'other',
 * errorCode, transactionId } or null if it is not STUN.
 */
function parse(buffer) {
	if (buffer.length < 20 || buffer.readUInt32BE(4) !== MAGIC_COOKIE) {
		return null;
	}
	const messageType = buffer.readUInt16BE(0);
	const type =
		messageType === BINDING_SUCCESS ? 'success' : messageType === BINDING_ERROR ? 'error' : 'other';
	let errorCode;
	let offset = 20;
	const end = Math.min(buffer.length, 20 + buffer.readUInt16BE(2));
	while (offset + 4 <= end) {
		const attrType = buffer.readUInt16BE(offset);
		const length = buffer.readUInt16BE(offset + 2);
		if (attrType === ATTR.ERROR_CODE && length >= 4) {
			errorCode = buffer[offset + 6] * 100 + buffer[offset + 7];
		}
		offset += 4 + Math.ceil(length / 4) * 4;
	}
	return { type, errorCode, transactionId: buffer.subarray(8, 20).toString('hex') };
}

/** RFC 4571: a 16-bit length before each packet. */
function frame(packet) {
	const header = Buffer.alloc(2);
	header.writeUInt16BE(packet.length);
	return Buffer.concat([header, packet]);
}

/**
 * Splits a TCP byte stream into RFC 4571 frames; call `push(chunk)` for each
 * chunk received, it returns the complete frames.
 */
function deframer() {
	let pending = Buffer.alloc(0);
	return {
		push(chunk) {
			pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
			const frames = [];
			let offset = 0;
			while (pending.length - offset >= 2) {
				const length = pending.readUInt16BE(offset);
				if (pending.length - offset < 2 + length) {
					break;
				}
				frames.push(pending.subarray(offset + 2, offset + 2 + length));
				offset += 2 + length;
			}
			pending = pending.subarray(offset);
			return frames;
		},
	};
}

module.exports = { bindingRequest, parse, frame, deframer };
