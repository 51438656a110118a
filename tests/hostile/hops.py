#!/usr/bin/env python3
"""A registry front that sends each download on to another host.

For signet's many-hosts test (t_42): one client talking to more hosts
than its host cache holds. Sits in front of a real docker-registry and
forwards every request to it; when the registry answers a GET or HEAD of
a manifest or blob with 200, the front answers 307 instead, to the next
of N "hop" hosts on 127.0.0.2, 127.0.0.3, ... in turn, as a registry
hands blobs to a storage service. A hop forwards the request to the same
registry and passes its answer on: every answer signet accepts comes
from the real registry.

    hops.py --upstream HOST:PORT --port-file FILE --hops N [--log FILE]
            [--upstream-ca FILE] [--upstream-auth-env VAR] [--lifetime S]

The Location names the hop (?hop=ADDR:PORT), as a signed storage URL
does: a hop refuses (421) a request that reached another host than the
one its URL names, and (403) one that carries an Authorization header,
since credentials for the registry must never go to another host. With
--upstream-auth-env, the hops (not the client) log in to the registry
with the user:pass in that environment variable.

Listeners are on loopback addresses only. --port-file gets the front's
port once every listener is up. Every request is logged (--log) as one
JSON line: listener, method, path, auth scheme, status. The server exits
by itself after --lifetime seconds (default 900).
"""

import argparse
import base64
import http.client
import http.server
import json
import os
import re
import ssl
import sys
import threading
import time
import urllib.parse

PASS_HEADERS = ("content-type", "docker-content-digest", "location",
                "www-authenticate", "docker-distribution-api-version",
                "link", "oci-subject", "range", "docker-upload-uuid")
DOWNLOAD = re.compile(r"^/v2/.+/(manifests|blobs)/[^/?]+$")


class Hops:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.next = 0
        self.hops = []          # "127.0.0.K:PORT"
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.ctx = None
        if args.upstream_ca:
            self.ctx = ssl.create_default_context(cafile=args.upstream_ca)
        self.auth = None
        if args.upstream_auth_env:
            pair = os.environ[args.upstream_auth_env].encode()
            self.auth = "Basic " + base64.b64encode(pair).decode()

    def next_hop(self):
        with self.lock:
            hop = self.hops[self.next % len(self.hops)]
            self.next += 1
        return hop

    def write_log(self, entry):
        if self.log:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")

    def upstream(self, method, path, headers, body):
        host, port = self.args.upstream.rsplit(":", 1)
        if self.ctx:
            conn = http.client.HTTPSConnection(host, int(port), timeout=60,
                                               context=self.ctx)
        else:
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read() if method != "HEAD" else b""
        out = (r.status, r.getheaders(), data)
        conn.close()
        return out


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "hops"
    sys_version = ""
    timeout = 120

    def log_message(self, fmt, *args):
        pass

    def do_GET(self):
        st = self.server.hops
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else None
        auth = self.headers.get("Authorization")
        scheme = auth.split(" ", 1)[0].lower() if auth else None
        entry = {"listener": self.server.name, "method": self.command,
                 "path": self.path, "auth": scheme}
        if self.server.name == "front":
            status = self.front(st, body)
        else:
            status = self.hop(st, scheme)
        entry["status"] = status
        st.write_log(entry)

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def headers_for_upstream(self, drop_auth):
        h = {}
        for k, v in self.headers.items():
            lk = k.lower()
            if lk in ("connection", "keep-alive", "content-length",
                      "accept-encoding") or (drop_auth and
                                             lk == "authorization"):
                continue
            h[k] = v
        if drop_auth:
            h["Host"] = self.server.hops.args.upstream
        else:
            # the registry's upload URLs then lead back here
            h["X-Forwarded-Proto"] = "http"
        return h

    def answer(self, status, headers, data):
        self.send_response(status)
        for k, v in headers:
            if k.lower() in PASS_HEADERS:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)) if
                         self.command != "HEAD" else
                         dict((k.lower(), v) for k, v in headers).get(
                             "content-length", "0"))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def front(self, st, body):
        path = self.path
        status, headers, data = st.upstream(
            self.command, path, self.headers_for_upstream(False), body)
        if (status == 200 and self.command in ("GET", "HEAD") and
                DOWNLOAD.match(path)):
            hop = st.next_hop()
            loc = "http://%s%s?hop=%s" % (hop, path, hop)
            self.answer(307, [("Location", loc)], b"")
            return 307
        self.answer(status, headers, data)
        return status

    def hop(self, st, scheme):
        me = "%s:%d" % self.connection.getsockname()[:2]
        url = urllib.parse.urlsplit(self.path)
        named = urllib.parse.parse_qs(url.query).get("hop", [""])[0]
        if named != me or self.headers.get("Host") != me:
            self.answer(421, [], b"misdirected: this is %s\n" % me.encode())
            return 421
        if scheme is not None:
            self.answer(403, [], b"credentials sent to a storage host\n")
            return 403
        h = self.headers_for_upstream(True)
        if st.auth:
            h["Authorization"] = st.auth
        status, headers, data = st.upstream(self.command, url.path, h,
                                            None)
        self.answer(status, headers, data)
        return status


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr, name, hops):
        self.name = name
        self.hops = hops
        super().__init__(addr, Handler)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--upstream", required=True)
    ap.add_argument("--upstream-ca")
    ap.add_argument("--upstream-auth-env")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--hops", type=int, default=9)
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=int, default=900)
    args = ap.parse_args()
    if not 1 <= args.hops <= 250:
        sys.exit("hops: --hops must be 1 to 250")
    st = Hops(args)
    servers = [Server(("127.0.0.1", 0), "front", st)]
    for k in range(args.hops):
        addr = "127.0.0.%d" % (k + 2)
        srv = Server((addr, 0), addr, st)
        st.hops.append("%s:%d" % (addr, srv.server_address[1]))
        servers.append(srv)
    for srv in servers:
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % servers[0].server_address[1])
    os.rename(tmp, args.port_file)
    time.sleep(args.lifetime)


if __name__ == "__main__":
    main()
