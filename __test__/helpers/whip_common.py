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
