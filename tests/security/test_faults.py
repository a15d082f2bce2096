"""Faults: the database going away gives clear 503s and recovers by itself; a full disk keeps the draft."""
import errno
import io
import socket
import threading

import pytest

from milepost.evidence.models import EvidenceItem, StoredFile
from milepost.extensions import db
from tests.helpers.app import PG_URL, drop_pg_schema, login, make_test_app, reset_pg_schema
from tests.helpers.evidence import PNG


class Proxy:
    """A TCP relay in front of PostgreSQL that the test can cut and restore, like a restart."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen()
        self.port = self.listener.getsockname()[1]
        self.up, self.pairs = True, []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()
                continue
            server = socket.create_connection(self.target)
            self.pairs.append((client, server))
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.close()
                except OSError:
                    pass

    def cut(self):
        self.up = False
        for pair in self.pairs:
            for s in pair:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self.pairs = []

    def restore(self):
        self.up = True

    def close(self):
        self.cut()
        self.listener.close()


def test_a_database_restart_gives_503_then_recovers(tmp_path, monkeypatch):
    if not PG_URL:
        pytest.skip("PostgreSQL run skipped: set MILEPOST_TEST_DATABASE_URL to run it")
    from sqlalchemy.engine import make_url

    schema = "milepost_fault_test"
    url = make_url(reset_pg_schema(schema))
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    monkeypatch.setenv("MILEPOST_INSTANCE_PATH", str(tmp_path / "instance"))
    app = make_test_app(tmp_path, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    try:
        with app.app_context():
            db.create_all()
        client = app.test_client()
        assert client.get("/healthz").status_code == 200
        proxy.cut()
        down = client.get("/healthz")
        assert down.status_code == 503
        login_page = client.post("/login", data={"email": "a@b.example", "password": "whatever you like"})
        assert login_page.status_code == 503
        assert "database is not answering" in login_page.get_data(as_text=True)
        assert login_page.headers["Retry-After"] == "30"
        proxy.restore()
        assert client.get("/healthz").status_code == 200  # pool_pre_ping reconnects on its own
    finally:
        with app.app_context():
            db.engine.dispose()
        proxy.close()
        drop_pg_schema(schema)


def test_a_full_disk_refuses_the_upload_clearly_and_keeps_the_draft(app, submission, teacher, monkeypatch):
    import milepost.evidence.storage as storage

    real_fdopen = storage.os.fdopen

    class FullDisk(io.RawIOBase):
        def __init__(self, fd, mode):
            self.inner = real_fdopen(fd, mode)

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def close(self):
            self.inner.close()

    monkeypatch.setattr(storage.os, "fdopen", lambda fd, mode: FullDisk(fd, mode))
    client = app.test_client()
    login(client, teacher.email)
    response = client.post(f"/submissions/{submission.id}", content_type="multipart/form-data", data={
        "action": "save", "answer-0": "My long reflection survives.", "file-1": (io.BytesIO(PNG), "photo.png")})
    assert response.status_code == 400
    assert "out of space" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(EvidenceItem.text)) == "My long reflection survives."
    assert db.session.scalar(db.select(db.func.count()).select_from(StoredFile)) == 0
    incoming = list((storage.Path(app.config["UPLOAD_PATH"]) / "evidence" / "incoming").glob("*"))
    assert incoming == []  # no half-written file left behind
