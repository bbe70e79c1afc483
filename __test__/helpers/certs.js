'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * Makes a self-signed ECDSA certificate and key with openssl (what
 * mediasoup users do) in a fresh temp folder.
 */
function makeCertificatePair() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferrosoup-cert-'));
	const certFile = path.join(dir, 'cert.pem');
	const keyFile = path.join(dir, 'key.pem');
	execFileSync(
		'openssl',
		[
			'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
			'-nodes', '-days', '30', '-subj', '/CN=ferrosoup-test',
			'-keyout', keyFile, '-out', certFile,
		],
		{ stdio: 'ignore' }
	);
	const der = execFileSync('openssl', ['x509', '-in', certFile, '-outform', 'DER']);
	return { dir, certFile, keyFile, der };
}

module.exports = { makeCertificatePair };
