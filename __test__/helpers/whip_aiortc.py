#!/usr/bin/env python3
"""A WHIP publisher and a WHEP player on aiortc, for __test__/whip.test.js.

    whip_aiortc.py publish URL [--seconds N]
        sends a generated 320x240 video via WHIP; prints {"event": "published",
        "location": ...} once the answer is applied, runs N seconds (or until
        killed), DELETEs the session and prints {"event": "done", ...}.
    whip_aiortc.py play URL [--frames N] [--timeout S]
        plays the stream via WHEP until N video frames are decoded (or S
        seconds pass), DELETEs the session and prints {"frames": ..., ...}.

Only the standard library besides aiortc (HTTP through urllib in a thread).
"""

import asyncio
import time
import urllib.parse

import aioice.ice
import av
from aiortc import RTCPeerConnection, RTCSessionDescription, VideoStreamTrack
from whip_common import emit, http, run_client

# The SFU listens on 127.0.0.1: gather only there (aioice skips loopback by
# default, and a sandbox may have no other interface).
aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]

async def exchange(pc, url):
    """POSTs the offer (complete: aiortc gathers before createOffer returns)."""
    await pc.setLocalDescription(await pc.createOffer())
    status, headers, body = await asyncio.to_thread(
        http, "POST", url, pc.localDescription.sdp, "application/sdp"
    )
    if status != 201:
        raise RuntimeError(f"POST {url}: {status} {body}")
    await pc.setRemoteDescription(RTCSessionDescription(sdp=body, type="answer"))
    return urllib.parse.urljoin(url, headers["Location"])


class MovingBars(VideoStreamTrack):
    """320x240 frames at 30 fps: a bright bar moving over a grey background."""

    def __init__(self):
        super().__init__()
        self.count = 0

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        width, height = 320, 240
        frame = av.VideoFrame(width, height, "yuv420p")
        x = (self.count * 4) % width
        luma = bytearray([90]) * (width * height)
        for row in range(height):
            start = row * width + x
            luma[start : start + min(40, width - x)] = bytes([235]) * min(40, width - x)
        frame.planes[0].update(bytes(luma))
        frame.planes[1].update(bytes([128]) * (width * height // 4))
        frame.planes[2].update(bytes([128]) * (width * height // 4))
        frame.pts = pts
        frame.time_base = time_base
        self.count += 1
        return frame


async def publish(url, seconds):
    pc = RTCPeerConnection()
    track = MovingBars()
    pc.addTransceiver(track, direction="sendonly")
    location = await exchange(pc, url)
    emit(event="published", location=location)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and pc.connectionState not in ("failed", "closed"):
        await asyncio.sleep(0.2)
    status, _, _ = await asyncio.to_thread(http, "DELETE", location)
    emit(event="done", frames_sent=track.count, connection=pc.connectionState, delete_status=status)
    await pc.close()


async def play(url, want_frames, timeout):
    pc = RTCPeerConnection()
    pc.addTransceiver("video", direction="recvonly")
    result = {"frames": 0, "width": 0, "height": 0}
    done = asyncio.Event()

    async def consume(track):
        while True:
            try:
                frame = await track.recv()
            except Exception:
                return
            result["frames"] += 1
            result["width"], result["height"] = frame.width, frame.height
            if result["frames"] >= want_frames:
                done.set()

    pc.on("track", lambda track: asyncio.ensure_future(consume(track)) if track.kind == "video" else None)
    location = await exchange(pc, url)
    try:
        await asyncio.wait_for(done.wait(), timeout)
    except asyncio.TimeoutError:
        pass
    status, _, _ = await asyncio.to_thread(http, "DELETE", location)
    result.update(connection=pc.connectionState, delete_status=status)
    await pc.close()
    emit(**result)


if __name__ == "__main__":
    run_client(
        lambda url, seconds: asyncio.run(publish(url, seconds)),
        lambda url, frames, timeout: asyncio.run(play(url, frames, timeout)),
    )
