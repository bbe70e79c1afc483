'use strict';

const { EnhancedEventEmitter, enhancedOnce } = require('./enhancedEvents');

module.exports = { EnhancedEventEmitter, enhancedOnce };
