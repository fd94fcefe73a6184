"""The adapters' HTTP layer against real sockets: kept-alive connections and what happens when
a server drops one, TLS verification, proxies from the environment, and a forked worker."""

from __future__ import annotations

import multiprocessing
import socket
import ssl
import threading

import pytest

from frontoffice.adapters import _http
from frontoffice.adapters.errors import PermanentError, RetryableError

ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\n\r\n"
    b'{"reference":"R"}'
)


class RawServer:
    """HTTP/1.1 on a raw socket, so a test decides what happens to each connection.

    `script(connection_number, request_number_on_it)` says "answer", "answer-close" (answer,
    then close without saying so) or "drop" (read the request, close without answering).
    Keeps every request line and headers, and the number of connections accepted."""

    def __init__(
        self,
        script=lambda conn, n: "answer",
        tls: ssl.SSLContext | None = None,
        answer: bytes = ANSWER,
    ):
        self.script, self.tls, self.answer = script, tls, answer
        self.requests: list[tuple[int, str, dict[str, str]]] = []
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}/hook"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(sock, self.connections), daemon=True).start()

    def _serve(self, sock: socket.socket, number: int) -> None:
        try:
            if self.tls:
                sock = self.tls.wrap_socket(sock, server_side=True)
            stream = sock.makefile("rb")
            n = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                headers = {}
                while (header := stream.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                stream.read(int(headers.get("content-length", 0)))
                n += 1
                self.requests.append((number, line.decode().strip(), headers))
                action = self.script(number, n)
                if action == "drop":
                    return
                sock.sendall(self.answer)
                if action == "answer-close":
                    return
        except (OSError, ssl.SSLError):
            return
        finally:
            sock.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture(autouse=True)
def _no_pooled_connections():
    _http.close_connections()
    yield
    _http.close_connections()


def post(url: str, timeout: float = 5) -> _http.Response:
    return _http.send(
        "POST", url, timeout=timeout, content=b"{}", headers={"Idempotency-Key": "k-1"}
    )


def test_connections_are_kept_alive_between_calls():
    server = RawServer()
    for _ in range(3):
        response = post(server.url)
        assert response.status_code == 200 and response.json() == {"reference": "R"}
    assert server.connections == 1 and len(server.requests) == 3
    server.close()


def test_an_answer_larger_than_we_read_is_refused_and_its_connection_not_kept(monkeypatch):
    monkeypatch.setattr(_http, "MAX_BODY", 1000)
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    huge = RawServer(answer=head + b"Content-Length: 5000\r\n\r\n" + b"x" * 5000)
    with pytest.raises(PermanentError, match="answered with more than"):
        post(huge.url)
    with pytest.raises(PermanentError):
        post(huge.url)
    assert huge.connections == 2  # the half-read connection was not used again
    huge.close()

    at_limit = RawServer(answer=head + b"Content-Length: 1000\r\n\r\n" + b"y" * 1000)
    assert post(at_limit.url).content == b"y" * 1000
    assert post(at_limit.url).status_code == 200
    assert at_limit.connections == 1  # read to its end: kept alive
    at_limit.close()


def test_a_connection_the_server_closed_while_idle_is_not_used():
    server = RawServer(lambda conn, n: "answer-close")
    post(server.url)
    response = post(server.url)
    assert response.status_code == 200
    assert server.connections == 2 and len(server.requests) == 2  # nothing sent twice
    server.close()


def test_a_kept_alive_connection_dropped_as_we_send_is_resent_once_on_a_new_one():
    # The second request on the first connection is read, then the connection is closed
    # without an answer: the keep-alive race. The same request goes once more, same key.
    server = RawServer(lambda conn, n: "drop" if (conn, n) == (1, 2) else "answer")
    post(server.url)
    response = post(server.url)
    assert response.status_code == 200
    assert [r[0] for r in server.requests] == [1, 1, 2]
    assert server.requests[1][2]["idempotency-key"] == server.requests[2][2]["idempotency-key"]
    server.close()


def test_a_new_connection_dropped_without_an_answer_is_not_resent():
    server = RawServer(lambda conn, n: "drop")
    with pytest.raises(RetryableError, match=f"The connection to {server.url} failed"):
        post(server.url)
    assert len(server.requests) == 1
    server.close()


def test_a_second_drop_after_the_resend_is_the_callers_retry():
    server = RawServer(lambda conn, n: "answer" if (conn, n) == (1, 1) else "drop")
    post(server.url)
    with pytest.raises(RetryableError, match="failed"):
        post(server.url)
    assert len(server.requests) == 3  # the first, then the resent one: no more
    server.close()


def test_a_certificate_that_does_not_verify_is_permanent(tls_files, monkeypatch):
    cert_file, key_file = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server = RawServer(tls=context)
    with pytest.raises(PermanentError, match="Could not verify the TLS certificate of https://"):
        post(server.url)

    # The same server is trusted when its authority is the one we are told to trust.
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    _http._tls_context.cache_clear()
    try:
        assert post(server.url).status_code == 200
    finally:
        _http._tls_context.cache_clear()
    server.close()


def test_plain_http_goes_through_the_environments_proxy(monkeypatch):
    proxy = RawServer()
    monkeypatch.setenv("HTTP_PROXY", f"http://me:s3cret@127.0.0.1:{proxy.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    response = _http.send(
        "GET", "http://partner.example/requests.xml", timeout=5, params={"api_key": "k"}
    )
    assert response.status_code == 200
    ((_, line, headers),) = proxy.requests
    assert line == "GET http://partner.example/requests.xml?api_key=k HTTP/1.1"
    assert headers["host"] == "partner.example"
    assert headers["proxy-authorization"] == "Basic bWU6czNjcmV0"

    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    server = RawServer()
    assert post(server.url).status_code == 200  # straight to the server, not the proxy
    assert len(proxy.requests) == 1 and len(server.requests) == 1
    proxy.close()
    server.close()


def _child_posts(url: str, done) -> None:
    done.send(post(url).status_code)


def test_a_forked_worker_opens_its_own_connection():
    server = RawServer()
    post(server.url)
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe()
    child = context.Process(target=_child_posts, args=(server.url, child_end))
    child.start()
    assert parent_end.recv() == 200
    child.join(10)
    post(server.url)  # the parent's own connection still serves it
    assert server.connections == 2
    assert [r[0] for r in server.requests] == [1, 2, 1]
    server.close()


def test_timeouts_and_refusals_keep_their_messages(closed_port):
    with pytest.raises(RetryableError, match="Could not connect to http://127.0.0.1:\\d+/hook"):
        post(f"http://127.0.0.1:{closed_port}/hook")
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
    with pytest.raises(RetryableError, match=f"The partner at {url} did not answer within 0.3"):
        post(url, timeout=0.3)
    silent.close()
    with pytest.raises(PermanentError, match="is not an address we can send to"):
        post("ftp://127.0.0.1/hook")


def test_what_http_client_refuses_to_send_is_permanent_and_masked():
    server = RawServer()
    with pytest.raises(PermanentError, match="Could not send to") as caught:
        _http.send("GET", server.url + "/a b?api_key=s3cret", timeout=5)
    assert "s3cret" not in str(caught.value)
    assert server.requests == []
    server.close()
