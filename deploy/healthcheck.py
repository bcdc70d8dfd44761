"""The container's health check: exit 0 when Streamlit's /_stcore/health answers "ok".

Docker's HEALTHCHECK runs it inside the container (the slim image has no curl); it reads the
port from STREAMLIT_SERVER_PORT, as the server does. Kubernetes probes the same path itself.
"""

from __future__ import annotations

import os
import sys
import urllib.request


def main() -> int:
    port = int(os.environ.get("STREAMLIT_SERVER_PORT", "8501"))
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=4) as r:
            ok = r.status == 200 and r.read().strip() == b"ok"
    except OSError as e:
        print(f"unhealthy: {e}", file=sys.stderr)
        return 1
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
