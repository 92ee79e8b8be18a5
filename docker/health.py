"""Docker's HEALTHCHECK: does the service answer $HEALTH on its port? Exit 0 if it does."""

import os
import ssl
import sys
import urllib.request
from pathlib import Path

TLS = "/etc/staged-release/tls"
ANY_ADDRESS = ("", "0.0.0.0", "::")  # the service listens everywhere; ask it on loopback


def url() -> str:
    host = os.environ.get("HOST", "127.0.0.1")
    host = "127.0.0.1" if host in ANY_ADDRESS else host
    tls = os.environ.get("VARIANT") == "nginx" and all(
        Path(TLS, name).is_file() for name in ("cert.pem", "key.pem")
    )
    return f"{'https' if tls else 'http'}://{host}:{os.environ['PORT']}{os.environ['HEALTH']}"


def main() -> None:
    # Whatever certificate is mounted, this probe is about liveness, not about trust.
    context = ssl._create_unverified_context()
    with urllib.request.urlopen(url(), timeout=4, context=context) as response:
        sys.exit(0 if 200 <= response.status < 300 else 1)


if __name__ == "__main__":
    main()
