'use strict';

// Loads the compiled addon (built into js/ by `npm install`).
const path = require('node:path');

let binding;
try {
	binding = require('./binding.js');
} catch (error) {
	throw new Error(
		`ferrosoup: the native addon is not built (${error.message}); run \`npm run build\``
	);
}

// The file the loader actually opened: workers run inside it.
const addonPath =
	Object.keys(require.cache).find(
		key => key.endsWith('.node') && path.basename(key).startsWith('ferrosoup')
	) ?? path.join(__dirname, 'ferrosoup.node');

module.exports = { binding, addonPath };
