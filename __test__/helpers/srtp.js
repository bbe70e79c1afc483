'use strict';

// A small SRTP/SRTCP implementation on node:crypto, so tests can check what
// ferrosoup protects and send it protected RTCP of their own. The four
// suites mediasoup offers: AES_CM_128_HMAC_SHA1_80/_32 (RFC 3711; SRTCP
// keeps the 80-bit tag with _32, as libsrtp and mediasoup do) and
// AEAD_AES_128_GCM/AEAD_AES_256_GCM (RFC 7714). Not constant-time beyond
// tag comparison; no replay list. For tests only.

const crypto = require('node:crypto');

const SUITES = {
	AES_CM_128_HMAC_SHA1_80: { keyLen: 16, saltLen: 14, rtpTag: 10, rtcpTag: 10, gcm: false },
	AES_CM_128_HMAC_SHA1_32: { keyLen: 16, saltLen: 14, rtpTag: 4, rtcpTag: 10, gcm: false },
	AEAD_AES_128_GCM: { keyLen: 16, saltLen: 12, rtpTag: 16, rtcpTag: 16, gcm: true },
	AEAD_AES_256_GCM: { keyLen: 32, saltLen: 12, rtpTag: 16, rtcpTag: 16, gcm: true },
};
const AUTH_KEY_LEN = 20;

/** Bytes of master key + salt a suite's `keyBase64` carries. */
function srtpKeyLength(suite) {
	const s = SUITES[suite];
	return s.keyLen + s.saltLen;
}

/**
 * RFC 3711 §4.3.1 key derivation (key derivation rate 0). A 12-byte GCM
 * salt is zero-padded to 14 bytes first, as libsrtp does.
 */
function deriveKey(masterKey, masterSalt, label, length) {
	const iv = Buffer.alloc(16);
	masterSalt.copy(iv, 0);
	iv[7] ^= label;
	const cipher = crypto.createCipheriv(`aes-${masterKey.length * 8}-ctr`, masterKey, iv);
	return cipher.update(Buffer.alloc(length));
}

/** XORs `value` (a uint32) into `buf` at `offset`. */
function xor32(buf, offset, value) {
	buf.writeUInt32BE((buf.readUInt32BE(offset) ^ value) >>> 0, offset);
}

function hmac(key, tagLen, ...parts) {
	const h = crypto.createHmac('sha1', key);
	for (const part of parts) {
		h.update(part);
	}
	return h.digest().subarray(0, tagLen);
}

function rtpHeaderLength(buf) {
	if (buf.length < 12) {
		return -1;
	}
	let len = 12 + (buf[0] & 0x0f) * 4;
	if (buf[0] & 0x10) {
		if (buf.length < len + 4) {
			return -1;
		}
		len += 4 + buf.readUInt16BE(len + 2) * 4;
	}
	return len <= buf.length ? len : -1;
}

/**
 * One direction of an SRTP session keyed by a master key + salt (what
 * `srtpParameters.keyBase64` carries).
 */
class SrtpContext {
	constructor(keyAndSalt, suite = 'AES_CM_128_HMAC_SHA1_80') {
		const s = SUITES[suite];
		if (!s) {
			throw new TypeError(`unknown suite ${suite}`);
		}
		if (keyAndSalt.length !== s.keyLen + s.saltLen) {
			throw new TypeError(`expected ${s.keyLen + s.saltLen} bytes of key and salt for ${suite}`);
		}
		this.suite = s;
		const masterKey = keyAndSalt.subarray(0, s.keyLen);
		const masterSalt = keyAndSalt.subarray(s.keyLen);
		const keys = base => ({
			key: deriveKey(masterKey, masterSalt, base, s.keyLen),
			auth: s.gcm ? null : deriveKey(masterKey, masterSalt, base + 1, AUTH_KEY_LEN),
			salt: deriveKey(masterKey, masterSalt, base + 2, s.saltLen),
		});
		this.rtp = keys(0);
		this.rtcp = keys(3);
		this.recvState = new Map(); // ssrc -> { roc, highest }
		this.sendRoc = new Map(); // ssrc -> { roc, last }
		this.rtcpIndex = 0;
	}

	// AES-CM IV (RFC 3711 §4.1.1) or GCM IV (RFC 7714 §8.1, §9.1).
	#iv(keys, ssrc, high32, low16) {
		if (this.suite.gcm) {
			const iv = Buffer.from(keys.salt);
			xor32(iv, 2, ssrc);
			xor32(iv, 6, high32);
			iv.writeUInt16BE(iv.readUInt16BE(10) ^ low16, 10);
			return iv;
		}
		const iv = Buffer.alloc(16);
		keys.salt.copy(iv, 0);
		xor32(iv, 4, ssrc);
		xor32(iv, 8, high32);
		iv.writeUInt16BE(iv.readUInt16BE(12) ^ low16, 12);
		return iv;
	}

	#ctr(keys, iv, data) {
		return crypto.createCipheriv(`aes-${keys.key.length * 8}-ctr`, keys.key, iv).update(data);
	}

	#gcmSeal(keys, iv, aad, data) {
		const cipher = crypto.createCipheriv(`aes-${keys.key.length * 8}-gcm`, keys.key, iv);
		cipher.setAAD(aad);
		return Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
	}

	#gcmOpen(keys, iv, aad, data) {
		if (data.length < 16) {
			return null;
		}
		const decipher = crypto.createDecipheriv(`aes-${keys.key.length * 8}-gcm`, keys.key, iv);
		decipher.setAAD(aad);
		decipher.setAuthTag(data.subarray(data.length - 16));
		try {
			return Buffer.concat([decipher.update(data.subarray(0, data.length - 16)), decipher.final()]);
		} catch {
			return null;
		}
	}

	/** Protects an RTP packet (tracks the rollover counter per SSRC). */
	protectRtp(packet) {
		const headerLen = rtpHeaderLength(packet);
		const header = packet.subarray(0, headerLen);
		const ssrc = packet.readUInt32BE(8);
		const seq = packet.readUInt16BE(2);
		const state = this.sendRoc.get(ssrc) ?? { roc: 0, last: seq };
		if (seq < state.last && state.last - seq > 0x8000) {
			state.roc = (state.roc + 1) >>> 0;
		}
		state.last = seq;
		this.sendRoc.set(ssrc, state);
		const iv = this.#iv(this.rtp, ssrc, state.roc, seq);
		if (this.suite.gcm) {
			return Buffer.concat([header, this.#gcmSeal(this.rtp, iv, header, packet.subarray(headerLen))]);
		}
		const encrypted = Buffer.concat([header, this.#ctr(this.rtp, iv, packet.subarray(headerLen))]);
		const roc = Buffer.alloc(4);
		roc.writeUInt32BE(state.roc);
		return Buffer.concat([encrypted, hmac(this.rtp.auth, this.suite.rtpTag, encrypted, roc)]);
	}

	/**
	 * Authenticates and decrypts an SRTP packet; null if it does not
	 * authenticate (RFC 3711 Appendix A rollover estimation).
	 */
	unprotectRtp(packet) {
		const tagLen = this.suite.rtpTag;
		const headerLen = rtpHeaderLength(packet);
		if (headerLen < 0 || packet.length < headerLen + tagLen) {
			return null;
		}
		const ssrc = packet.readUInt32BE(8);
		const seq = packet.readUInt16BE(2);
		const state = this.recvState.get(ssrc);
		let roc = state?.roc ?? 0;
		if (state) {
			if (state.highest < 0x8000) {
				if (seq - state.highest > 0x8000) {
					roc = (state.roc - 1) >>> 0;
				}
			} else if (state.highest - 0x8000 > seq) {
				roc = (state.roc + 1) >>> 0;
			}
		}
		const header = packet.subarray(0, headerLen);
		const iv = this.#iv(this.rtp, ssrc, roc, seq);
		let plain;
		if (this.suite.gcm) {
			const payload = this.#gcmOpen(this.rtp, iv, header, packet.subarray(headerLen));
			if (!payload) {
				return null;
			}
			plain = Buffer.concat([header, payload]);
		} else {
			const body = packet.subarray(0, packet.length - tagLen);
			const rocBuf = Buffer.alloc(4);
			rocBuf.writeUInt32BE(roc);
			const tag = packet.subarray(packet.length - tagLen);
			if (!crypto.timingSafeEqual(hmac(this.rtp.auth, tagLen, body, rocBuf), tag)) {
				return null;
			}
			plain = Buffer.concat([header, this.#ctr(this.rtp, iv, body.subarray(headerLen))]);
		}
		if (!state) {
			this.recvState.set(ssrc, { roc, highest: seq });
		} else if (roc === ((state.roc + 1) >>> 0)) {
			state.roc = roc;
			state.highest = seq;
		} else if (roc === state.roc && seq > state.highest) {
			state.highest = seq;
		}
		return plain;
	}

	/** Protects a (compound) RTCP packet: encrypted, E flag and index, tag. */
	protectRtcp(packet) {
		const index = this.rtcpIndex;
		this.rtcpIndex = (this.rtcpIndex + 1) & 0x7fffffff;
		const ssrc = packet.readUInt32BE(4);
		const eIndex = Buffer.alloc(4);
		eIndex.writeUInt32BE((0x80000000 | index) >>> 0);
		const header = packet.subarray(0, 8);
		const iv = this.#iv(this.rtcp, ssrc, 0, 0);
		if (this.suite.gcm) {
			xor32(iv, 8, index);
			const sealed = this.#gcmSeal(this.rtcp, iv, Buffer.concat([header, eIndex]), packet.subarray(8));
			return Buffer.concat([header, sealed, eIndex]);
		}
		xor32(iv, 10, index);
		const authenticated = Buffer.concat([header, this.#ctr(this.rtcp, iv, packet.subarray(8)), eIndex]);
		return Buffer.concat([authenticated, hmac(this.rtcp.auth, this.suite.rtcpTag, authenticated)]);
	}

	/**
	 * Authenticates and decrypts an SRTCP packet. Returns { packet, index,
	 * encrypted, ssrc } or null if it does not authenticate.
	 */
	unprotectRtcp(packet) {
		const tagLen = this.suite.rtcpTag;
		if (packet.length < 8 + 4 + tagLen) {
			return null;
		}
		const header = packet.subarray(0, 8);
		const ssrc = packet.readUInt32BE(4);
		const iv = this.#iv(this.rtcp, ssrc, 0, 0);
		if (this.suite.gcm) {
			const eIndexBuf = packet.subarray(packet.length - 4);
			const eIndex = eIndexBuf.readUInt32BE(0);
			const index = eIndex & 0x7fffffff;
			const encrypted = (eIndex & 0x80000000) !== 0;
			xor32(iv, 8, index);
			const sealed = packet.subarray(8, packet.length - 4);
			if (!encrypted) {
				// Authentication only: the whole packet is AAD, the tag follows it.
				const plainBody = sealed.subarray(0, sealed.length - 16);
				const ok = this.#gcmOpen(this.rtcp, iv, Buffer.concat([header, plainBody, eIndexBuf]), sealed.subarray(sealed.length - 16));
				return ok ? { packet: Buffer.concat([header, plainBody]), index, encrypted, ssrc } : null;
			}
			const body = this.#gcmOpen(this.rtcp, iv, Buffer.concat([header, eIndexBuf]), sealed);
			return body ? { packet: Buffer.concat([header, body]), index, encrypted, ssrc } : null;
		}
		const authenticated = packet.subarray(0, packet.length - tagLen);
		const tag = packet.subarray(packet.length - tagLen);
		if (!crypto.timingSafeEqual(hmac(this.rtcp.auth, tagLen, authenticated), tag)) {
			return null;
		}
		const eIndex = authenticated.readUInt32BE(authenticated.length - 4);
		const encrypted = (eIndex & 0x80000000) !== 0;
		const index = eIndex & 0x7fffffff;
		const body = authenticated.subarray(0, authenticated.length - 4);
		xor32(iv, 10, index);
		return {
			packet: encrypted ? Buffer.concat([header, this.#ctr(this.rtcp, iv, body.subarray(8))]) : Buffer.from(body),
			index,
			encrypted,
			ssrc,
		};
	}
}

module.exports = { SrtpContext, srtpKeyLength, SRTP_SUITES: Object.keys(SUITES) };
