// The header's buttons: microphone, camera, screen share, leave/rejoin. Each
// calls its handler and the page tells the buttons the new state.

const $ = (selector) => document.querySelector(selector);

export function createControls({ onMic, onCamera, onScreen, onLeave }) {
	const buttons = {
		mic: $('#mic'),
		camera: $('#camera'),
		screen: $('#screen'),
		leave: $('#leave'),
		stats: $('#toggle-stats'),
	};
	// One press at a time per button: each handler awaits the server.
	const wire = (button, handler) => {
		button.addEventListener('click', async () => {
			button.disabled = true;
			try {
				await handler();
			} catch (error) {
				console.error(error);
			} finally {
				button.disabled = false;
			}
		});
	};
	wire(buttons.mic, onMic);
	wire(buttons.camera, onCamera);
	wire(buttons.screen, onScreen);
	wire(buttons.leave, onLeave);
	buttons.stats.addEventListener('click', () => {
		const hidden = document.body.classList.toggle('hide-stats');
		buttons.stats.setAttribute('aria-pressed', String(!hidden));
	});

	return {
		/** `{ joined, mic, camera, screen }`: what is on now. */
		update({ joined, mic, camera, screen }) {
			buttons.mic.textContent = mic ? 'Mute' : 'Unmute';
			buttons.mic.setAttribute('aria-pressed', String(!mic));
			buttons.camera.textContent = camera ? 'Camera off' : 'Camera on';
			buttons.camera.setAttribute('aria-pressed', String(!camera));
			buttons.screen.textContent = screen ? 'Stop sharing' : 'Share screen';
			buttons.screen.setAttribute('aria-pressed', String(screen));
			buttons.leave.textContent = joined ? 'Leave' : 'Rejoin';
			for (const name of ['mic', 'camera', 'screen']) {
				buttons[name].hidden = !joined;
			}
		},
	};
}
