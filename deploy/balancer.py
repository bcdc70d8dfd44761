"""The load balancer's settings, in one place: the Kubernetes Ingress (deploy/k8s/ingress.yaml,
ingress-nginx annotations) and the local cluster's HAProxy (`python -m bench cluster`) are both
made from BALANCER, and tests/test_cluster.py checks that ingress.yaml says what this says.

- Affinity: a cookie set by the balancer names the replica a browser stays on (a Streamlit session
  lives in one server process, over one websocket); a browser without it goes to the replica with
  the fewest open connections. When its replica is down the balancer sends it to a live one and sets the cookie anew
  (ingress-nginx: session-cookie-change-on-failure; HAProxy: option redispatch).
- Timeouts: a page's websocket may be quiet for a long time (a learner reading), so reads and
  sends wait an hour before the balancer closes it.
- Uploads (a photo, a CSV of points) up to 16 MB pass; the app's own limits are lower.
"""

from __future__ import annotations

BALANCER = {
    "cookie": "nn-playground-replica",
    "cookie_max_age_s": 10800,  # a three-hour lesson
    "cookie_samesite": "Lax",
    "read_timeout_s": 3600,  # upstream quiet this long: the connection is closed
    "send_timeout_s": 3600,
    "body_size_mb": 16,
    "change_on_failure": True,  # a dead replica's browsers move to a live one
}

# What every replica behind the balancer runs with, beyond the app's own .streamlit/config.toml
# (deploy/k8s/deployment.yaml's env, and `python -m bench cluster`'s replicas; tests/test_cluster.py
# checks that they agree). A page whose replica dies reconnects to another one and sends the hashes
# of the big messages it holds from the dead one; Streamlit then sends mere references to those
# messages, and a page that has dropped one meanwhile stops with "Cached ForwardMsg MISS" (a
# connection error that no click mends: seen in the class bench, 1 page of 4). With the smallest
# cached message set at 1 TB no message is cached, so every one is sent whole: a little more traffic
# when a click reruns a page (the live views redraw charts that changed anyway).
REPLICA_ENV = {
    "STREAMLIT_GLOBAL_MIN_CACHED_MESSAGE_SIZE": "1e12",
}

NGINX = "nginx.ingress.kubernetes.io/"


def ingress_annotations(b: dict = BALANCER) -> dict[str, str]:
    """The ingress-nginx annotations that say BALANCER (ingress.yaml's, exactly)."""
    return {
        NGINX + "affinity": "cookie",
        NGINX + "affinity-mode": "persistent",
        NGINX + "session-cookie-name": b["cookie"],
        NGINX + "session-cookie-max-age": str(b["cookie_max_age_s"]),
        NGINX + "session-cookie-samesite": b["cookie_samesite"],
        NGINX + "session-cookie-change-on-failure": str(b["change_on_failure"]).lower(),
        NGINX + "proxy-read-timeout": str(b["read_timeout_s"]),
        NGINX + "proxy-send-timeout": str(b["send_timeout_s"]),
        NGINX + "proxy-body-size": f"{b['body_size_mb']}m",
    }


def haproxy_config(port: int, replicas: list[tuple[str, int]], b: dict = BALANCER,
                   health: str = "/_stcore/health") -> str:
    """HAProxy's configuration for `replicas` ([(name, port)], on 127.0.0.1) behind 127.0.0.1:`port`.

    The cookie is inserted by HAProxy (its value: the replica's name), kept out of what the app
    sees (indirect) and never cached; a new browser goes to the replica with the fewest open
    connections (each page holds one websocket: the fewest sessions; ties in turn), so a replica
    started again takes the newcomers first. Each replica's
    health endpoint is asked every 2 s (down after 3 misses of 5 s each, as a busy replica may be
    slow to answer; up after 2 answers); a request for
    a replica that is down, refuses the connection or closes it unanswered (killed under it) goes to
    another (redispatch, on every retry).
    A websocket is a tunnel: its timeout is the longer of read and send."""
    read, send = b["read_timeout_s"], b["send_timeout_s"]
    attrs = f'attr "SameSite={b["cookie_samesite"]}" attr "Max-Age={b["cookie_max_age_s"]}"'
    servers = "\n".join(f"    server {name} 127.0.0.1:{p} cookie {name} check" for name, p in replicas)
    return f"""# Made by deploy/balancer.py (the same settings as deploy/k8s/ingress.yaml); do not edit.
global
    maxconn 4096

defaults
    mode http
    timeout connect 3s
    timeout client {read}s
    timeout server {read}s
    timeout tunnel {max(read, send)}s
    timeout http-request 30s
    retries 3
    retry-on conn-failure empty-response response-timeout
    option redispatch 1

frontend playground
    bind 127.0.0.1:{port}
    http-request deny deny_status 413 if {{ req.hdr_val(content-length) gt {b["body_size_mb"] * 2**20} }}
    http-response set-header X-Replica %[srv_name]  # which replica answered (the cookie says it too)
    default_backend replicas

backend replicas
    balance leastconn
    cookie {b["cookie"]} insert indirect nocache httponly {attrs}
    option httpchk GET {health}
    http-check expect string ok
    timeout check 5s
    default-server inter 2s fastinter 1s downinter 1s fall 3 rise 2
{servers}
"""
