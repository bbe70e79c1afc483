'use strict';

// `types` is type-only in mediasoup >= 3.19: nothing exists at runtime.
module.exports = {};
