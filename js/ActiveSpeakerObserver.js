'use strict';

const { RtpObserverImpl } = require('./RtpObserver');

/**
 * Emits `dominantspeaker` when the dominant audio producer changes.
 */
class ActiveSpeakerObserverImpl extends RtpObserverImpl {
	get type() {
		return 'activespeaker';
	}

	onNotification(event, data) {
		if (event !== 'activespeakerobserver.dominantspeaker') {
			super.onNotification(event, data);
			return;
		}
		const producer = this.getProducerById(data.producerId);
		if (!producer) {
			return;
		}
		const dominantSpeaker = { producer };
		this.safeEmit('dominantspeaker', dominantSpeaker);
		this.observer.safeEmit('dominantspeaker', dominantSpeaker);
	}
}

module.exports = { ActiveSpeakerObserverImpl };
