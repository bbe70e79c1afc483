// A panel of labelled sparklines, each keeping the last `length` samples
// (one a second: 30 s by default).

import { drawSparkline } from './sparkline.js';

export function createGraphs(container, definitions, length = 30) {
	const rows = new Map();
	for (const definition of definitions) {
		const row = document.createElement('div');
		row.className = 'graph';
		row.dataset.key = definition.key;
		row.innerHTML = '<span class="label"></span><canvas></canvas><span class="value"></span>';
		row.querySelector('.label').textContent = definition.label;
		container.append(row);
		rows.set(definition.key, { definition, row, values: [] });
	}
	return {
		/** The series, for the tests: key -> values (null where unknown). */
		series() {
			return Object.fromEntries([...rows].map(([key, { values }]) => [key, [...values]]));
		},
		push(key, value) {
			const entry = rows.get(key);
			entry.values.push(Number.isFinite(value) ? value : null);
			if (entry.values.length > length) {
				entry.values.shift();
			}
		},
		draw() {
			for (const { definition, row, values } of rows.values()) {
				drawSparkline(row.querySelector('canvas'), values, definition);
				const last = values[values.length - 1];
				row.querySelector('.value').textContent = last == null ? '–' : definition.format(last);
			}
		},
		clear() {
			for (const entry of rows.values()) {
				entry.values = [];
			}
		},
	};
}
