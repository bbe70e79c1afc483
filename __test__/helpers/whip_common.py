"""What the Python WHIP/WHEP clients of the tests share (whip_aiortc.py,
whip_webrtcbin.py): their JSON-lines output and plain HTTP (standard
library only, so either interpreter can import it)."""

import json
import urllib.error
import urllib.request


def emit(**fields):
    """One JSON line for the test (helpers/pyclient.js reads them)."""
    print(json.dumps(fields), flush=True)


def http(method, url, body=None, content_type=None):
    """One HTTP request; returns (status, headers, body text)."""
    data = body.encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def run_client(publish, play):
    """The clients' command line: `publish URL [--seconds N]` calls
    publish(url, seconds), `play URL [--frames N] [--timeout S]` calls
    play(url, frames, timeout). An exception is reported to the test as
    an {"error": ...} line, with exit code 1."""
    import argparse
    import sys

    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["publish", "play"])
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=3600)
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=20)
    args = parser.parse_args()
    try:
        if args.mode == "publish":
            publish(args.url, args.seconds)
        else:
            play(args.url, args.frames, args.timeout)
    except Exception as error:  # noqa: BLE001
        emit(error=f"{type(error).__name__}: {error}")
        sys.exit(1)
