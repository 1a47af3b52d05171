"""数据备份 (the street admin): make a backup and download it; the backups kept in the
backup directory. Restoring is not offered here: it replaces everything, and is done on
the server with `make restore` (README, 备份与恢复)."""

import pandas as pd
import streamlit as st

from services import backup
from services.access import Actor
from ui.actions import flash, show_flash, write
from ui.i18n import t
from ui.session import page_guard
from ui.text import plain

MADE = "backup_made_file"  # the name of the backup this session made last
ANCHOR = "backup_made"


def make_and_download(actor: Actor) -> None:
    if st.button(t("backup.make"), key="backup_make", type="primary", icon=":material/backup:"):
        made = write(backup.backup_create, actor=actor)
        if made:
            st.session_state[MADE] = made.value.name
            size = backup.size_text(made.value.size)
            flash(t("backup.made", name=plain(made.value.name), size=size), anchor=ANCHOR)
            st.rerun()
    show_flash(ANCHOR)
    name = st.session_state.get(MADE)
    path = backup.backup_dir() / name if name else None
    if path is not None and path.is_file():
        st.download_button(
            t("backup.download"),
            # read when pressed: a backup is megabytes, not kept in memory on every run
            data=path.read_bytes,
            file_name=path.name,
            mime="application/octet-stream",
            icon=":material/download:",
            key="backup_download",
        )


def backup_table() -> None:
    st.subheader(t("backup.list_title"))
    st.caption(t("backup.dir", dir=plain(backup.backup_dir())))
    # Files on the server's disk, not rows: nothing of the read cache applies.
    files = backup.backup_list()
    if not files:
        st.info(t("backup.none"), icon=":material/lightbulb:")
        return
    st.dataframe(
        pd.DataFrame(
            {
                t("backup.col_file"): [f.name for f in files],
                t("backup.col_made"): [f"{f.made_at:%Y-%m-%d %H:%M:%S}" for f in files],
                t("backup.col_size"): [backup.size_text(f.size) for f in files],
            }
        ),
        hide_index=True,
        width="stretch",
    )


actor = page_guard("backup")
st.title(t("nav.backup"))
show_flash()
st.caption(t("backup.about"))
make_and_download(actor)
st.info(t("backup.restore_note"), icon=":material/info:")
backup_table()
