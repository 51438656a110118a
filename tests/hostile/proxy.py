#!/usr/bin/env python3
"""Fault-injecting HTTP proxy for signet's hostile-registry tests.

Sits in front of a real docker-registry on 127.0.0.1 and forwards every
request to it, except where a rule from a JSON file says otherwise. The test
rewrites that file between cases; it is read again for every request.

    proxy.py --upstream 127.0.0.1:PORT --port-file FILE --rules FILE
             [--evil-port-file FILE] [--log FILE] [--lifetime SECONDS]
             [--upstream-ca FILE] [--tls-cert FILE --tls-key FILE]

Two listeners, both on 127.0.0.1 only (never anything else):
  main  the "registry" signet talks to; forwards to --upstream
  evil  a second host (another port) for redirects and token realms: it
        forwards nothing unless a rule says so, answers 404 by default,
        and logs what it receives (whether an Authorization header came,
        and its scheme: never a credential).

Rules file: {"rules": [RULE, ...]}; the first rule that matches a request
applies. Matching:
  listener   "main" (default) or "evil"
  method     exact method, or a list of methods (default: any)
  path       regular expression searched in the request path with query
  auth       "none", "basic", "bearer" or "any": the request's
             Authorization scheme (default: any)
  upstream_status  only when the upstream answered this status
  skip       let the first N matching requests through untouched
  times      apply to N matching requests only (after skip), then stop
Actions, in the order they apply:
  hold           seconds to wait before anything else, the upstream not
                 yet asked (at most 120; not with upstream_status): the
                 request is logged as {"hold": path} when the wait starts,
                 so a test can act (kill the upstream) while the client
                 waits for its answer
  forward        answer from the upstream's answer (default: true on
                 main, false on evil: then 200 with an empty body, or
                 404 when no rule applies); upstream_path asks the
                 upstream for another path instead
  delay          seconds to wait before answering (at most 120)
  close          drop the connection without answering
  raw            send these bytes (latin-1 text) as the whole answer
  status         replace the status code
  body | body_b64 | body_file   replace the body
  json_merge     {member: value}: set these members of the JSON body
                 (an object), which is then written back compactly
  json           Python statements run with `doc` bound to the parsed
                 JSON body (json, re, base64 and hashlib at hand);
                 `doc` is then written back compactly
  replace        [[old, new], ...] literal substitutions in the body
  append         text appended to the body
  redirect       a Location (status 307 unless status is given)
  remove_headers [name, ...]
  headers        {name: value or [values]}: add or replace
  header_fill    {"name": N, "bytes": N}: one header N bytes long
and how the answer is sent (one of):
  oversize_mib   a body of N MiB of filler (chunked when "chunked": true)
  endless        a chunked body that never ends (until the client leaves,
                 or 1 GiB)
  drip           the body at N bytes per second (at most 300 s), in
                 writes of drip_step bytes (default: N, at least 1);
                 with drip_endless: true the body never ends (chunked,
                 filler after it); with drip_headers: true the status
                 line and headers trickle out at that pace too
  close_after    the headers (full Content-Length), N bytes of the body,
                 then the connection dropped

Every request is logged (--log) as one JSON line, before its answer
leaves: listener, method, path, auth scheme, rule index, status. A rules
file that cannot be read, or a rule that fails, is logged as
{"rules_error": ...} for the test to notice. The proxy exits by itself
after --lifetime seconds (default 900) or 50000 requests.
"""

import argparse
import base64
import hashlib
import http.client
import http.server
import ipaddress
import json
import os
import re
import socket
import ssl
import sys
import threading
import time

HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-connection",
       "proxy-authorization", "te", "trailer", "trailers",
       "transfer-encoding", "upgrade"}
MAX_REQUESTS = 50000
MAX_ENDLESS = 1 << 30
MAX_DRIP_SECONDS = 300
MAX_DELAY = 120
FILLER = b"A" * 65536


def loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class State:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.counts = {}        # (rules digest, index) -> matches seen
        self.requests = 0
        self.log = open(args.log, "a", buffering=1) if args.log else None
        self.upstream_ctx = None
        if args.upstream_ca:
            self.upstream_ctx = ssl.create_default_context(
                cafile=args.upstream_ca)

    def rules(self):
        """The rules as they are now, and a digest naming this version."""
        try:
            with open(self.args.rules, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            return [], ""
        if not raw.strip():
            return [], ""
        try:
            doc = json.loads(raw)
        except ValueError as e:
            # the test looks for this in the log: a case whose rules
            # did not apply must not pass unnoticed
            sys.stderr.write("proxy: bad rules file: %s\n" % e)
            self.write_log({"rules_error": str(e)})
            return [], ""
        if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list):
            self.write_log({"rules_error": "no 'rules' list"})
            return [], ""
        return doc["rules"], hashlib.sha256(raw).hexdigest()

    def write_log(self, entry):
        if self.log:
            with self.lock:
                self.log.write(json.dumps(entry) + "\n")


def auth_scheme(headers):
    v = headers.get("Authorization")
    if v is None:
        return None
    return (v.split(" ", 1)[0] or "?").lower()


def matches(rule, listener, method, path, scheme):
    if rule.get("listener", "main") != listener:
        return False
    m = rule.get("method")
    if m is not None:
        if isinstance(m, list) and method not in m:
            return False
        if isinstance(m, str) and m != method:
            return False
    if "path" in rule and not re.search(rule["path"], path):
        return False
    want = rule.get("auth", "any")
    if want == "none" and scheme is not None:
        return False
    if want in ("basic", "bearer") and scheme != want:
        return False
    return True


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once
    server_version = "hostile-proxy"
    sys_version = ""
    timeout = 120

    def log_message(self, fmt, *args):    # quiet: we keep our own log
        pass

    # every method goes through one place
    def do_GET(self):
        self.handle_any()

    do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_GET

    def handle_any(self):
        st = self.server.state
        with st.lock:
            st.requests += 1
            n = st.requests
        if n > MAX_REQUESTS:
            self.close_connection = True
            os._exit(3)
        listener = self.server.listener
        scheme = auth_scheme(self.headers)
        length = int(self.headers.get("Content-Length") or 0)
        body_in = self.rfile.read(length) if length > 0 else b""
        rules, version = st.rules()
        candidates = [(i, r) for i, r in enumerate(rules)
                      if matches(r, listener, self.command, self.path,
                                 scheme)]
        entry = {"t": round(time.time(), 3), "listener": listener,
                 "method": self.command, "path": self.path, "auth": scheme,
                 "rule": None, "status": None}
        try:
            self.answer(st, listener, body_in, candidates, version, entry)
        except (BrokenPipeError, ConnectionResetError, socket.timeout,
                ssl.SSLError):
            self.close_connection = True
        except Exception as e:     # a rule that does not work: say so
            st.write_log({"rules_error": "%s %s: %s: %s" % (
                self.command, self.path, type(e).__name__, e)})
            self.close_connection = True
        finally:
            if "logged" not in entry:
                st.write_log(entry)

    def upstream(self, st, path, body_in):
        host, port = st.args.upstream.rsplit(":", 1)
        if st.upstream_ctx:
            conn = http.client.HTTPSConnection(host, int(port), timeout=60,
                                               context=st.upstream_ctx)
        else:
            conn = http.client.HTTPConnection(host, int(port), timeout=60)
        hdrs = {k: v for k, v in self.headers.items()
                if k.lower() not in HOP and k.lower() != "content-length"}
        try:
            conn.request(self.command, path, body=body_in or None,
                         headers=hdrs)
            r = conn.getresponse()
            data = r.read() if self.command != "HEAD" else b""
            headers = [(k, v) for k, v in r.getheaders()
                       if k.lower() not in HOP]
            return r.status, headers, data
        finally:
            conn.close()

    def answer(self, st, listener, body_in, candidates, version, entry):
        fetched = []

        def upstream():
            """The upstream's answer, fetched once, when needed."""
            if not fetched:
                path = self.path
                for _, r in candidates:
                    if "upstream_path" in r:
                        path = r["upstream_path"]
                        break
                try:
                    fetched.append(self.upstream(st, path, body_in))
                except OSError as e:
                    fetched.append((502, [], ("upstream: %s" % e).encode()))
            return fetched[0]

        # the rule that applies, counting matches for skip and times
        idx, rule = None, None
        for i, r in candidates:
            if "upstream_status" in r and \
                    upstream()[0] != r["upstream_status"]:
                continue
            with st.lock:
                seen = st.counts.get((version, i), 0)
                st.counts[(version, i)] = seen + 1
            skip = int(r.get("skip", 0))
            if seen < skip:
                break
            if "times" in r and seen - skip >= int(r["times"]):
                continue
            idx, rule = i, r
            break
        if rule is not None and "hold" in rule:
            st.write_log({"t": round(time.time(), 3), "hold": self.path,
                          "method": self.command, "rule": idx})
            time.sleep(min(float(rule["hold"]), MAX_DELAY))
        forward = listener == "main"
        if rule is not None:
            forward = rule.get("forward", forward)
        if forward:
            status, headers, body = upstream()
        elif rule is not None:
            status, headers, body = 200, [], b""
        else:
            status, headers, body = 404, [("Content-Type",
                                           "application/json")], \
                b'{"errors":[{"code":"NAME_UNKNOWN","message":"nothing"}]}'
        if rule is None:
            entry["status"] = status
            self.logged(st, entry)
            return self.send(status, headers, body)
        entry["rule"] = idx
        entry["status"] = rule.get(
            "status", "close" if rule.get("close") else
            307 if "redirect" in rule else status)
        # logged before the answer leaves: when the client has it, the
        # test can read what we saw
        self.logged(st, entry)
        if "delay" in rule:
            time.sleep(min(float(rule["delay"]), MAX_DELAY))
        if rule.get("close"):
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if "raw" in rule:
            self.close_connection = True
            self.wfile.write(rule["raw"].encode("latin-1"))
            self.wfile.flush()
            return
        if "status" in rule:
            status = int(rule["status"])
        if "body" in rule:
            body = rule["body"].encode("utf-8")
        if "body_b64" in rule:
            body = base64.b64decode(rule["body_b64"])
        if "body_file" in rule:
            with open(rule["body_file"], "rb") as f:
                body = f.read()
        if "json_merge" in rule:
            doc = json.loads(body)
            doc.update(rule["json_merge"])
            body = json.dumps(doc, separators=(",", ":")).encode()
        if "json" in rule:
            ns = {"doc": json.loads(body), "json": json, "re": re,
                  "base64": base64, "hashlib": hashlib}
            exec(rule["json"], ns)  # test-authored code, loopback tool
            body = json.dumps(ns["doc"], separators=(",", ":")).encode()
        for old, new in rule.get("replace", []):
            body = body.replace(old.encode("utf-8"), new.encode("utf-8"))
        if "append" in rule:
            body += rule["append"].encode("utf-8")
        if "redirect" in rule:
            if "status" not in rule:
                status = 307
            headers = [(k, v) for k, v in headers
                       if k.lower() != "location"]
            headers.append(("Location", rule["redirect"]))
        drop = {h.lower() for h in rule.get("remove_headers", [])}
        drop |= {h.lower() for h in rule.get("headers", {})}
        headers = [(k, v) for k, v in headers if k.lower() not in drop]
        for k, v in rule.get("headers", {}).items():
            for one in (v if isinstance(v, list) else [v]):
                headers.append((k, str(one)))
        if "header_fill" in rule:
            hf = rule["header_fill"]
            headers.append((hf.get("name", "X-Filler"),
                            "x" * int(hf["bytes"])))
        if "oversize_mib" in rule:
            return self.send_filler(status, headers,
                                    int(rule["oversize_mib"]) << 20,
                                    rule.get("chunked", False))
        if rule.get("endless"):
            return self.send_filler(status, headers, MAX_ENDLESS, True)
        if "drip" in rule:
            return self.send_drip(status, headers, body, rule)
        if "close_after" in rule:
            return self.send_cut(status, headers, body,
                                 int(rule["close_after"]))
        return self.send(status, headers, body)

    def logged(self, st, entry):
        entry["logged"] = True
        st.write_log({k: v for k, v in entry.items() if k != "logged"})

    # ---- ways to answer ------------------------------------------------

    def start(self, status, headers, length=None, chunked=False):
        self.send_response_only(status)
        for k, v in headers:
            if k.lower() in ("content-length", "transfer-encoding", "date",
                             "server"):
                continue
            self.send_header(k, v)
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif length is not None:
            self.send_header("Content-Length", str(length))
        self.end_headers()

    def send(self, status, headers, body):
        if self.command == "HEAD":
            length = None
            for k, v in headers:
                if k.lower() == "content-length":
                    length = v
            self.start(status, headers, length if length is not None
                       else len(body))
            return
        self.start(status, headers, len(body))
        self.wfile.write(body)
        self.wfile.flush()

    def send_filler(self, status, headers, total, chunked):
        self.close_connection = True
        self.start(status, headers, None if chunked else total, chunked)
        sent = 0
        while sent < total:
            piece = FILLER[:min(len(FILLER), total - sent)]
            if chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
            sent += len(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def head_bytes(self, status, headers, length, chunked):
        """What start() would send, as bytes, to trickle out."""
        lines = ["HTTP/1.1 %d %s" % (status, self.responses.get(
            status, ("",))[0])]
        for k, v in headers:
            if k.lower() not in ("content-length", "transfer-encoding",
                                 "date", "server"):
                lines.append("%s: %s" % (k, v))
        lines.append("Transfer-Encoding: chunked" if chunked else
                     "Content-Length: %d" % length)
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def send_drip(self, status, headers, body, rule):
        rate = float(rule["drip"])
        step = max(1, int(rule.get("drip_step", rate)))
        endless = bool(rule.get("drip_endless"))
        self.close_connection = True
        raw = b""
        if self.command == "HEAD":
            body = b""
            endless = False
        if rule.get("drip_headers"):
            raw = self.head_bytes(status, headers, len(body), endless)
        else:
            self.start(status, headers, len(body), endless)
        t_end = time.time() + MAX_DRIP_SECONDS

        def pieces():
            for i in range(0, len(raw), step):
                yield raw[i:i + step], False
            for i in range(0, len(body), step):
                yield body[i:i + step], endless
            while endless:
                yield FILLER[:step], True

        for piece, framed in pieces():
            if time.time() > t_end:
                break
            if framed:
                piece = b"%x\r\n%s\r\n" % (len(piece), piece)
            self.wfile.write(piece)
            self.wfile.flush()
            time.sleep(step / rate)

    def send_cut(self, status, headers, body, n):
        self.close_connection = True
        self.start(status, headers, len(body))
        self.wfile.write(body[:n])
        self.wfile.flush()
        self.connection.shutdown(socket.SHUT_RDWR)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = False
    request_queue_size = 64

    def __init__(self, listener, state, tls_ctx):
        self.listener = listener
        self.state = state
        self.tls_ctx = tls_ctx
        # 127.0.0.1 only, a free port chosen by the kernel
        super().__init__(("127.0.0.1", 0), Handler)

    def finish_request(self, request, client_address):
        request.settimeout(120)
        if self.tls_ctx:
            try:
                request = self.tls_ctx.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                # plain HTTP to a TLS port, or a failed handshake: drop it
                try:
                    request.close()
                except OSError:
                    pass
                return
        super().finish_request(request, client_address)


def write_port(path, port):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % port)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream", required=True, help="127.0.0.1:PORT")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--rules", required=True)
    ap.add_argument("--evil-port-file")
    ap.add_argument("--log")
    ap.add_argument("--lifetime", type=float, default=900)
    ap.add_argument("--upstream-ca", help="upstream speaks HTTPS")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    args = ap.parse_args()

    host = args.upstream.rsplit(":", 1)[0]
    if not loopback(host):
        ap.error("the upstream must be on the loopback interface")
    tls_ctx = None
    if args.tls_cert:
        tls_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls_ctx.load_cert_chain(args.tls_cert, args.tls_key)

    state = State(args)
    servers = [Server("main", state, tls_ctx)]
    if args.evil_port_file:
        servers.append(Server("evil", state, tls_ctx))
    for s in servers:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    if args.evil_port_file:
        write_port(args.evil_port_file, servers[1].server_address[1])
    write_port(args.port_file, servers[0].server_address[1])

    # never outlive the test run, even if nobody kills us
    time.sleep(max(1.0, min(args.lifetime, 3600)))
    os._exit(0)


if __name__ == "__main__":
    main()
