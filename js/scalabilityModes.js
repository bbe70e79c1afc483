'use strict';

// `L<spatial>T<temporal>[_KEY]` (or `S...`) at the start of the string;
// layer counts are 1 to 99 without leading zeros.
const SCALABILITY_MODE = /^[LS]([1-9]\d?)T([1-9]\d?)(_KEY)?/;

/**
 * Parses a scalability mode such as "L3T3_KEY"; anything else (or nothing)
 * means 1 spatial and 1 temporal layer, not K-SVC.
 */
function parseScalabilityMode(scalabilityMode) {
	const match = typeof scalabilityMode === 'string' ? SCALABILITY_MODE.exec(scalabilityMode) : null;
	if (!match) {
		return { spatialLayers: 1, temporalLayers: 1, ksvc: false };
	}
	return {
		spatialLayers: Number(match[1]),
		temporalLayers: Number(match[2]),
		ksvc: match[3] !== undefined,
	};
}

module.exports = { parseScalabilityMode };
