// The Python WebRTC clients of the tests (helpers/whip_aiortc.py,
// helpers/whip_webrtcbin.py) run as child processes that print one JSON
// object per line: events ({"event": ...}), results, or {"error": ...}.

const { spawn, spawnSync } = require('node:child_process');
const { withTimeout } = require('./browser');

/**
 * Why `python` cannot import `module` here (with `hint` on how to get it),
 * or null.
 */
function pythonModuleUnavailableReason(python, module, hint) {
	const probe = spawnSync(python, ['-c', `import ${module}`], { encoding: 'utf8', timeout: 20_000 });
	if (probe.error) {
		return `no ${python} (${probe.error.message})`;
	}
	return probe.status === 0 ? null : `${python} cannot import ${module} (${hint})`;
}

/**
 * Runs `script` with `args` under `python` (inside network namespace
 * `netns` if given); `next(what, ms)` resolves with its next JSON line that
 * has `what` (an event name or a field), and rejects on an {"error": ...}
 * line or an early exit. `name` labels errors.
 */
function runPythonClient(python, script, args, name, { netns = null } = {}) {
	const argv = [python, script, ...args];
	const [command, ...rest] = netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
	const child = spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
	const lines = [];
	const waiters = [];
	let stderr = '';
	let buffered = '';
	const settle = () => {
		for (const waiter of [...waiters]) {
			const line = lines.find((l) => l.event === waiter.what || waiter.what in l || 'error' in l);
			if (line) {
				waiters.splice(waiters.indexOf(waiter), 1);
				line.error ? waiter.reject(new Error(`${name}: ${line.error}\n${stderr}`)) : waiter.resolve(line);
			}
		}
	};
	child.stdout.on('data', (chunk) => {
		buffered += chunk;
		let newline;
		while ((newline = buffered.indexOf('\n')) !== -1) {
			const text = buffered.slice(0, newline);
			buffered = buffered.slice(newline + 1);
			try {
				lines.push(JSON.parse(text));
			} catch {
				stderr += `${text}\n`;
			}
		}
		settle();
	});
	child.stderr.on('data', (chunk) => {
		stderr += chunk;
	});
	const exited = new Promise((resolve) => child.once('exit', resolve));
	child.once('exit', (code) => {
		for (const waiter of waiters.splice(0)) {
			waiter.reject(new Error(`${name} exited (${code}) before "${waiter.what}":\n${stderr}`));
		}
	});
	const running = () => child.exitCode === null && child.signalCode === null;
	return {
		child,
		next(what, ms) {
			const line = new Promise((resolve, reject) => {
				waiters.push({ what, resolve, reject });
				settle();
			});
			return withTimeout(line, ms, `${name} ${args[0]}: ${what}\n${stderr}`);
		},
		/** Asks it to finish (SIGTERM) and waits for it to exit. */
		async stop(ms = 10_000) {
			if (running()) {
				child.kill('SIGTERM');
			}
			await withTimeout(exited, ms, `${name} exiting after SIGTERM`);
		},
		kill() {
			if (running()) {
				child.kill('SIGKILL');
			}
		},
	};
}

module.exports = { pythonModuleUnavailableReason, runPythonClient };
