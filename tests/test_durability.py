"""Offline replays and crashes against a real multi-process server on the real database."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select

from pain_diary.records.models import PainEntry

from .factories import PainEntryBody
from .server import Server, running_server

pytestmark = pytest.mark.slow  # each test starts gunicorn


def pain_entry():
    """An entry made ten minutes ago, as a phone replays it."""
    recorded_at = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    return PainEntryBody(recorded_at=recorded_at, intensity=5, qualities=["aching"])


def count_entries(app, db):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PainEntry))


def test_ten_concurrent_replays_of_one_put_create_one_row(app, db, accounts, base_config):
    token = accounts.token(accounts.create())
    headers = {"Authorization": f"Bearer {token}"}
    url_path = f"/api/v1/pain-entries/{uuid.uuid4()}"
    body = pain_entry()
    start = threading.Barrier(10)
    statuses, representations = [], []

    def replay(server_url):
        with requests.Session() as session:
            start.wait()
            response = session.put(server_url + url_path, json=body, headers=headers, timeout=30)
        statuses.append(response.status_code)
        representations.append(response.json())

    with running_server(base_config, workers=2, threads=5) as server:
        threads = [threading.Thread(target=replay, args=(server.url,)) for _ in range(10)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert sorted(statuses) == [200] * 9 + [201]
    assert all(r == representations[0] for r in representations)
    assert representations[0]["version"] == 1
    assert count_entries(app, db) == 1


def test_acknowledged_writes_survive_a_sigkill(app, db, accounts, base_config):
    token = accounts.token(accounts.create())
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged = []
    enough = threading.Event()
    crashed = threading.Event()

    def write_until_the_crash(server_url):
        with requests.Session() as session:
            while not crashed.is_set():
                entry_id = str(uuid.uuid4())
                try:
                    response = session.put(
                        f"{server_url}/api/v1/pain-entries/{entry_id}",
                        json=pain_entry(), headers=headers, timeout=10,
                    )  # fmt: skip
                except requests.RequestException:
                    continue  # the crash cut this request off: it was never acknowledged
                if response.status_code == 201:
                    acknowledged.append(entry_id)
                if len(acknowledged) >= 60:
                    enough.set()

    server = Server(base_config, workers=2, threads=2).start()
    writers = [threading.Thread(target=write_until_the_crash, args=(server.url,)) for _ in range(4)]
    try:
        for writer in writers:
            writer.start()
        assert enough.wait(timeout=60), "the server acknowledged too few writes"
        server.kill()  # in the middle of the stream: writers are still sending
    finally:
        crashed.set()
        for writer in writers:
            writer.join()
        server.stop()

    with running_server(base_config) as restarted:
        for entry_id in acknowledged:
            response = requests.get(
                f"{restarted.url}/api/v1/pain-entries/{entry_id}", headers=headers, timeout=10
            )
            assert response.status_code == 200, entry_id
    assert count_entries(app, db) >= len(acknowledged) >= 60
