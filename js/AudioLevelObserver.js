'use strict';

const { RtpObserverImpl } = require('./RtpObserver');

/**
 * Reports the loudest audio producers every `interval` ms (`volumes`), and
 * `silence` when none is above the threshold.
 */
class AudioLevelObserverImpl extends RtpObserverImpl {
	get type() {
		return 'audiolevel';
	}

	onNotification(event, data) {
		switch (event) {
			case 'audiolevelobserver.volumes': {
				// Producers closed meanwhile are left out.
				const volumes = data
					.map(({ producerId, volume }) => ({ producer: this.getProducerById(producerId), volume }))
					.filter(({ producer }) => producer);
				if (volumes.length > 0) {
					this.safeEmit('volumes', volumes);
					this.observer.safeEmit('volumes', volumes);
				}
				break;
			}
			case 'audiolevelobserver.silence': {
				this.safeEmit('silence');
				this.observer.safeEmit('silence');
				break;
			}
			default: {
				super.onNotification(event, data);
			}
		}
	}
}

module.exports = { AudioLevelObserverImpl };
