'use strict';

// mediasoup's `ortc` module: RTP negotiation on plain JS objects (no native
// call: these run on every produce() and consume()).

const {
	validateAndNormalizeRtpCapabilities,
	validateAndNormalizeRtpParameters,
	validateAndNormalizeSctpStreamParameters,
} = require('./ortc/validate');
const { generateRouterRtpCapabilities } = require('./ortc/router');
const { getProducerRtpParametersMapping, getConsumableRtpParameters } = require('./ortc/producer');
const { canConsume, getConsumerRtpParameters, getPipeConsumerRtpParameters } = require('./ortc/consumer');

module.exports = {
	validateAndNormalizeRtpCapabilities,
	validateAndNormalizeRtpParameters,
	validateAndNormalizeSctpStreamParameters,
	generateRouterRtpCapabilities,
	getProducerRtpParametersMapping,
	getConsumableRtpParameters,
	canConsume,
	getConsumerRtpParameters,
	getPipeConsumerRtpParameters,
};
