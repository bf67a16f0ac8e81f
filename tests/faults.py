"""Real network faults for tests: a TCP proxy between the site and a server on loopback that a
test can freeze (a hung server), cut (a dead one) and restore.

    proxy = TCPProxy(target_port=5432).start()
    url = database_url_through(proxy, settings.DATABASES["default"])  # for a subprocess
    proxy.freeze()   # connections stay open and accepted, nothing moves either way
    proxy.cut()      # every connection closed, new ones refused
    proxy.restore()  # relaying again; new connections work

A frozen proxy stops reading, so the kernel still acknowledges what the client sends until the
buffers fill: exactly what a stopped (SIGSTOP) or wedged server looks like, and what TCP
keepalives and tcp_user_timeout cannot detect. Only 127.0.0.1 is ever contacted.
"""

import contextlib
import selectors
import socket
import threading
import urllib.parse

NORMAL, FROZEN, CUT = "normal", "frozen", "cut"
TICK = 0.05  # how often an idle relay looks at the mode


class TCPProxy:
    def __init__(self, target_host="127.0.0.1", target_port=5432):
        if target_host != "127.0.0.1":
            raise ValueError("the proxy only ever connects to 127.0.0.1")
        self.target = (target_host, target_port)
        self.port = None
        self.mode = NORMAL
        self.listener = None
        self.links = set()
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.stopped = False

    # The controls a test uses.

    def start(self):
        self.listen(port=0)
        return self

    def freeze(self):
        self.set_mode(FROZEN)

    def cut(self):
        self.set_mode(CUT)
        with self.lock:
            listener, self.listener = self.listener, None
            links, self.links = self.links, set()
        if listener:
            close(listener)  # refused from now on: nothing listens on the port
        for link in links:
            link.close()

    def restore(self):
        if self.listener is None:
            self.listen(port=self.port)
        self.set_mode(NORMAL)

    def stop(self):
        self.stopped = True
        self.cut()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def connections(self):
        """How many client connections are open through the proxy."""
        with self.lock:
            return len(self.links)

    # Inside.

    def set_mode(self, mode):
        with self.changed:
            self.mode = mode
            self.changed.notify_all()

    def listen(self, port):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", port))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        with self.lock:
            self.listener = listener
        threading.Thread(target=self.accept, args=(listener,), daemon=True).start()

    def accept(self, listener):
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return  # closed by cut() or stop()
            link = Link(self, client)
            with self.lock:
                if self.listener is not listener:
                    client.close()
                    return
                self.links.add(link)
            threading.Thread(target=link.relay, daemon=True).start()

    def wait_while_frozen(self):
        """Block while frozen; True when the link may relay, False when it must close."""
        with self.changed:
            while self.mode == FROZEN and not self.stopped:
                self.changed.wait(TICK)
            return self.mode == NORMAL and not self.stopped

    def forget(self, link):
        with self.lock:
            self.links.discard(link)


class Link:
    """One client connection and its connection to the target, relayed by one thread. The
    target is only connected once the proxy relays, so a connection accepted while frozen gets
    nothing at all, not even the server's greeting."""

    def __init__(self, proxy, client):
        self.proxy = proxy
        self.client = client
        self.upstream = None
        self.closed = threading.Event()

    def relay(self):
        try:
            if not self.proxy.wait_while_frozen():
                return
            self.upstream = socket.create_connection(self.proxy.target, timeout=5)
            self.upstream.settimeout(None)
            peers = {self.client: self.upstream, self.upstream: self.client}
            with selectors.DefaultSelector() as selector:
                for sock in peers:
                    selector.register(sock, selectors.EVENT_READ)
                while not self.closed.is_set():
                    if not self.proxy.wait_while_frozen():
                        return
                    for key, _events in selector.select(TICK):
                        if self.proxy.mode != NORMAL:
                            break  # frozen meanwhile: leave the data unread
                        data = key.fileobj.recv(65536)
                        if not data:
                            return
                        peers[key.fileobj].sendall(data)
        except (OSError, ValueError):  # ValueError: a socket closed by cut() meanwhile
            pass
        finally:
            self.close()
            self.proxy.forget(self)

    def close(self):
        self.closed.set()
        for sock in (self.client, self.upstream):
            if sock is not None:
                close(sock)


def close(sock):
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def database_url_through(proxy, settings_dict):
    """A DATABASE_URL for a subprocess that reaches the same database (the test database inside
    a test) through the proxy."""
    user = urllib.parse.quote(settings_dict.get("USER") or "postgres", safe="")
    password = settings_dict.get("PASSWORD")
    credentials = f"{user}:{urllib.parse.quote(password, safe='')}" if password else user
    name = urllib.parse.quote(settings_dict["NAME"], safe="")
    return f"postgres://{credentials}@127.0.0.1:{proxy.port}/{name}"
