// The page's side of the WebSocket signalling: requests answered by the
// server (promises) and notifications it pushes (handled one at a time, in
// order, so a consumerClosed always finds the consumer its newConsumer made).

export function connect(url, onNotification) {
	const socket = new WebSocket(url);
	const pending = new Map();
	let nextId = 1;
	let notifications = Promise.resolve();

	socket.addEventListener('message', ({ data }) => {
		const message = JSON.parse(data);
		if (message.notification) {
			notifications = notifications
				.then(() => onNotification(message.method, message.data))
				.catch((error) => console.error(message.method, error));
			return;
		}
		const handlers = pending.get(message.id);
		if (!handlers) {
			return;
		}
		pending.delete(message.id);
		if (message.ok) {
			handlers.resolve(message.data);
		} else {
			handlers.reject(new Error(message.error));
		}
	});

	const closed = new Promise((resolve) => {
		socket.addEventListener('close', () => {
			for (const { reject } of pending.values()) {
				reject(new Error('connection closed'));
			}
			pending.clear();
			resolve();
		});
	});

	const opened = new Promise((resolve, reject) => {
		socket.addEventListener('open', resolve, { once: true });
		socket.addEventListener('error', () => reject(new Error('cannot reach the server')), { once: true });
	});

	return {
		opened,
		closed,
		request(method, data = {}) {
			if (socket.readyState !== WebSocket.OPEN) {
				return Promise.reject(new Error('not connected'));
			}
			return new Promise((resolve, reject) => {
				const id = nextId++;
				pending.set(id, { resolve, reject });
				socket.send(JSON.stringify({ id, method, data }));
			});
		},
		close() {
			socket.close();
		},
	};
}
