#!/usr/bin/python3
"""A WHIP publisher and a WHEP player on GStreamer's webrtcbin (libnice ICE,
OpenSSL DTLS, GStreamer's SRTP and RTP stack), for __test__/webrtcbin.test.js.

    whip_webrtcbin.py publish URL [--seconds N]
        sends a 320x240 VP8 test pattern and an Opus tone via WHIP; prints
        {"event": "published", "location": ...} once the answer is applied
        and {"event": "connected"} when ICE connects, runs N seconds (or
        until SIGTERM), DELETEs the session and prints {"event": "done", ...}.
    whip_webrtcbin.py play URL [--frames N] [--timeout S]
        plays via WHEP until N video frames are decoded (or S seconds pass),
        DELETEs the session and prints {"frames": ..., "width": ..., ...}.

Needs Debian's python3-gi, gir1.2-gst-plugins-bad-1.0 and gstreamer1.0-nice.
The offer is sent once gathering completes (WHIP without trickle).
"""

import signal
import threading
import urllib.parse

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstSdp", "1.0")
gi.require_version("GstWebRTC", "1.0")
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402
from whip_common import emit, http, run_client  # noqa: E402

class Session:
    """One webrtcbin in a pipeline, its offer POSTed to `url` once gathered."""

    def __init__(self, url, pipeline_text):
        self.url = url
        self.loop = GLib.MainLoop()
        parsed = Gst.parse_launch(pipeline_text)
        if isinstance(parsed, Gst.Pipeline):
            self.pipeline = parsed
        else:  # a lone element (the player's webrtcbin)
            self.pipeline = Gst.Pipeline.new("player")
            self.pipeline.add(parsed)
        self.webrtc = self.pipeline.get_by_name("webrtc")
        self.location = None
        self.error = None
        self.offered = False
        self.connected = False
        self.webrtc.connect("on-negotiation-needed", self.on_negotiation_needed)
        self.webrtc.connect("notify::ice-gathering-state", self.on_gathering)
        self.webrtc.connect("notify::ice-connection-state", self.on_ice_state)
        bus = self.pipeline.get_bus()
        bus.add_signal_watch()
        bus.connect("message::error", self.on_bus_error)

    def on_bus_error(self, _bus, message):
        error, debug = message.parse_error()
        self.fail(f"pipeline error: {error.message} ({debug})")

    def fail(self, text):
        if self.error is None:
            self.error = text
        self.loop.quit()

    def on_negotiation_needed(self, element):
        # Once: the offer goes out whole, after gathering (no renegotiation).
        if self.offered:
            return
        self.offered = True
        self.create_offer()

    def create_offer(self):
        promise = Gst.Promise.new_with_change_func(self.on_offer_created, None, None)
        self.webrtc.emit("create-offer", None, promise)

    def on_offer_created(self, promise, _a, _b):
        promise.wait()
        reply = promise.get_reply()
        offer = reply.get_value("offer") if reply is not None else None
        if offer is None:
            # Asked before every pad had its caps: ask again shortly.
            GLib.timeout_add(100, lambda: self.create_offer() and False)
            return
        self.webrtc.emit("set-local-description", offer, Gst.Promise.new())

    def on_gathering(self, element, _pspec):
        if element.get_property("ice-gathering-state") != GstWebRTC.WebRTCICEGatheringState.COMPLETE:
            return
        sdp = element.get_property("local-description").sdp.as_text()
        # Off the streaming thread: the HTTP exchange blocks.
        threading.Thread(target=self.post_offer, args=(sdp,), daemon=True).start()

    def post_offer(self, sdp):
        try:
            status, headers, body = http("POST", self.url, sdp, "application/sdp")
            if status != 201:
                raise RuntimeError(f"POST {self.url}: {status} {body}")
            self.location = urllib.parse.urljoin(self.url, headers["Location"])
            _, message = GstSdp.SDPMessage.new_from_text(body)
            answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
            promise = Gst.Promise.new_with_change_func(self.on_answer_set, None, None)
            self.webrtc.emit("set-remote-description", answer, promise)
            emit(event="published" if self.kind == "publish" else "answered", location=self.location)
        except Exception as error:  # noqa: BLE001 (reported, then the loop ends)
            GLib.idle_add(self.fail, f"{type(error).__name__}: {error}")

    def on_answer_set(self, promise, _a, _b):
        promise.wait()
        reply = promise.get_reply()
        error = reply.get_value("error") if reply is not None and reply.has_field("error") else None
        if error is not None:
            GLib.idle_add(self.fail, f"the answer was refused: {error.message}")

    def on_ice_state(self, element, _pspec):
        state = element.get_property("ice-connection-state")
        if state in (
            GstWebRTC.WebRTCICEConnectionState.CONNECTED,
            GstWebRTC.WebRTCICEConnectionState.COMPLETED,
        ):
            if not self.connected:
                self.connected = True
                emit(event="connected")
        elif state == GstWebRTC.WebRTCICEConnectionState.FAILED:
            GLib.idle_add(self.fail, "ICE failed")

    def run(self, seconds):
        self.pipeline.set_state(Gst.State.PLAYING)
        GLib.timeout_add(int(seconds * 1000), self.loop.quit)
        # SIGTERM ends the session as the timer does: DELETE, then "done".
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, self.loop.quit)
        self.loop.run()
        status = None
        if self.location:
            status, _, _ = http("DELETE", self.location)
        self.pipeline.set_state(Gst.State.NULL)
        return status


def publish(url, seconds):
    session = Session(
        url,
        "webrtcbin name=webrtc bundle-policy=max-bundle "
        "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 "
        "! vp8enc deadline=1 target-bitrate=400000 keyframe-max-dist=60 ! rtpvp8pay pt=96 "
        "! application/x-rtp,media=video,encoding-name=VP8,payload=96 ! webrtc. "
        "audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample ! opusenc "
        "! rtpopuspay pt=111 ! application/x-rtp,media=audio,encoding-name=OPUS,payload=111 ! webrtc.",
    )
    session.kind = "publish"
    status = session.run(seconds)
    if session.error:
        raise RuntimeError(session.error)
    emit(event="done", delete_status=status)


def play(url, want_frames, timeout):
    session = Session(url, "webrtcbin name=webrtc bundle-policy=max-bundle")
    session.kind = "play"
    result = {"frames": 0, "width": 0, "height": 0}
    webrtc = session.webrtc
    caps = Gst.Caps.from_string("application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000")
    webrtc.emit("add-transceiver", GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY, caps)

    def on_frame(_pad, info):
        buffer_caps = _pad.get_current_caps()
        if buffer_caps is not None:
            structure = buffer_caps.get_structure(0)
            result["width"] = structure.get_value("width")
            result["height"] = structure.get_value("height")
        result["frames"] += 1
        if result["frames"] >= want_frames:
            GLib.idle_add(session.loop.quit)
        return Gst.PadProbeReturn.OK

    def on_pad_added(_element, pad):
        if pad.direction != Gst.PadDirection.SRC:
            return
        decode = Gst.parse_bin_from_description(
            "queue ! rtpvp8depay ! vp8dec ! videoconvert ! fakesink name=sink sync=false", True
        )
        session.pipeline.add(decode)
        decode.sync_state_with_parent()
        pad.link(decode.get_static_pad("sink"))
        sink = decode.get_by_name("sink")
        sink.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_frame)

    webrtc.connect("pad-added", on_pad_added)
    status = session.run(timeout)
    if session.error:
        raise RuntimeError(session.error)
    result.update(delete_status=status)
    emit(**result)


if __name__ == "__main__":
    Gst.init(None)
    run_client(publish, play)
