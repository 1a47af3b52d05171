"""数据备份 (views/backup.py): the street admin makes a backup and downloads it; the
backups in the backup directory are listed; a secretary is refused the page."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlmodel import Session, select
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from models.audit import AuditEntry
from services.i18n import translate
from tests.conftest import ROOT, app_test, sign_in_token

pytestmark = pytest.mark.usefixtures("fresh_read_cache")


@pytest.fixture
def backups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "backups"
    monkeypatch.setenv("BOARD_BACKUP_DIR", str(path))
    return path


class Downloads:
    """The files behind the download buttons of AppTest runs. AppTest gives each run a
    media file manager of its own and drops it afterwards; this keeps them, so that a
    test can press a download (run its deferred callable) as the browser would."""

    def __init__(self) -> None:
        self.storage = MemoryMediaFileStorage("/mock/media")
        self.managers: list[MediaFileManager] = []

    def manager(self, _storage: object) -> MediaFileManager:
        self.managers.append(MediaFileManager(self.storage))
        return self.managers[-1]

    def pressed(self, button) -> bytes:
        url = self.managers[-1].execute_deferred(button.proto.deferred_file_id)
        return self.storage.get_file(url.rsplit("/", 1)[1]).content


@pytest.fixture
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    kept = Downloads()
    monkeypatch.setattr(app_test_module, "MediaFileManager", kept.manager)
    return kept


def test_the_admin_makes_a_backup_and_downloads_it(demo_engine, backups, downloads):
    at = app_test(demo_engine, "admin", "views/backup.py")
    assert not at.exception
    assert [i.value for i in at.info][-1] == translate("backup.none")
    assert not at.get("download_button")

    at.button(key="backup_make").click().run()

    assert not at.exception
    (made,) = list(backups.iterdir())
    assert made.name.startswith("board-backup_sqlite_") and made.suffix == ".sqlite3"
    assert "board\\-backup\\_sqlite\\_" in at.success[0].value  # the name, shown as typed
    (button,) = at.get("download_button")
    assert button.key == "backup_download"
    data = downloads.pressed(button)
    assert data[:16] == b"SQLite format 3\x00"
    assert data == made.read_bytes()
    with closing(sqlite3.connect(made)) as conn:  # the demo's people are in it
        assert conn.execute("SELECT count(*) FROM account WHERE username = 'shuji'").fetchone() == (
            1,
        )
    table = at.dataframe[0].value
    assert list(table.iloc[:, 0]) == [made.name]
    with Session(demo_engine) as s:
        entry = s.exec(select(AuditEntry).where(AuditEntry.action == "backup")).one()
    assert entry.table_name == "backup" and made.name in entry.changes
    # restoring is not offered: the page says where it is done
    assert any("make restore" in i.value for i in at.info)
    assert not [b for b in at.button if "restore" in (b.key or "")]


def test_a_secretary_is_refused_the_page(demo_engine, backups):
    at = app_test(demo_engine, "shuji")
    with pytest.raises(ValueError):  # not in the secretary's navigation
        at.switch_page("views/backup.py")
    # Asked for directly by URL, the page refuses to render, and makes nothing.
    direct = AppTest.from_file(str(ROOT / "views/backup.py"), default_timeout=30)
    direct.session_state["auth_token"] = sign_in_token(demo_engine, "shuji")
    direct.run()
    assert [e.value for e in direct.error] == [
        translate("access.denied_page", page=translate("nav.backup"))
    ]
    assert not direct.button and not direct.title
    assert not backups.exists()
