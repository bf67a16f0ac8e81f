"""Django's SMTP backend with one deadline over the whole conversation.

smtplib's timeout applies to each socket operation, so a server that answers one byte every few
seconds (or a greeting that never ends) holds a sender indefinitely. Here a timer shuts the
socket down once `timeout` seconds have passed since sending began, whatever the server is
doing; the blocked call fails at once and the message stays pending for the next attempt."""

import contextlib
import functools
import smtplib
import socket
import threading

from django.core.mail.backends import smtp


class DeadlineExceeded(TimeoutError):
    pass


class Deadline:
    """Shuts down the sockets of the SMTP connections it watches when the time is up."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.expired = False
        self._connections = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self.expire)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc_info):
        self._timer.cancel()

    def watch(self, connection):
        with self._lock:
            self._connections.append(connection)
            if self.expired:
                self._shut_down(connection)

    def expire(self):
        with self._lock:
            self.expired = True
            for connection in self._connections:
                self._shut_down(connection)

    @staticmethod
    def _shut_down(connection):
        # STARTTLS replaces connection.sock with a wrapped socket on the same descriptor.
        if (sock := connection.sock) is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)


class DeadlineSMTP(smtplib.SMTP):
    def __init__(self, *args, deadline, **kwargs):
        self.deadline = deadline
        super().__init__(*args, **kwargs)

    def _get_socket(self, host, port, timeout):
        # Watched from the moment it exists, before the server's greeting is read.
        self.sock = super()._get_socket(host, port, timeout)
        self.deadline.watch(self)
        return self.sock


class DeadlineSMTP_SSL(smtplib.SMTP_SSL):  # noqa: N801 - named after smtplib.SMTP_SSL
    __init__ = DeadlineSMTP.__init__
    _get_socket = DeadlineSMTP._get_socket


class EmailBackend(smtp.EmailBackend):
    """The SMTP backend for MAILERS: sending a batch takes at most OPTIONS["timeout"] seconds
    (connecting, greeting, TLS, login, every message, QUIT), then fails with DeadlineExceeded."""

    _deadline = None

    @property
    def connection_class(self):
        base = DeadlineSMTP_SSL if self.use_ssl else DeadlineSMTP
        return functools.partial(base, deadline=self._deadline)

    def send_messages(self, email_messages):
        if not self.timeout:
            return super().send_messages(email_messages)
        with self._lock, Deadline(self.timeout) as deadline:
            self._deadline = deadline
            if self.connection is not None:  # opened earlier by the caller
                deadline.watch(self.connection)
            try:
                return super().send_messages(email_messages)
            except OSError as error:  # smtplib's errors are OSErrors too
                if deadline.expired:
                    raise DeadlineExceeded(
                        f"The mail server did not finish within {self.timeout:g} s."
                    ) from error
                raise
            finally:
                self._deadline = None
