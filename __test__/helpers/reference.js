'use strict';

// The real mediasoup 3.27.1 package (installed with --ignore-scripts in
// __test__/compat, so no C++ worker): its pure-JS modules are the reference
// that ferrosoup's results are compared against.

const path = require('node:path');

const mediasoupLib = path.join(__dirname, '..', 'compat', 'node_modules', 'mediasoup', 'node', 'lib');

function referenceOrtc() {
	return require(path.join(mediasoupLib, 'ortc.js'));
}

function referenceSupportedRtpCapabilities() {
	return require(path.join(mediasoupLib, 'supportedRtpCapabilities.js')).supportedRtpCapabilities;
}

function referenceScalabilityModes() {
	return require(path.join(mediasoupLib, 'scalabilityModesUtils.js'));
}

module.exports = { referenceOrtc, referenceSupportedRtpCapabilities, referenceScalabilityModes };
