"""A case's photos on its card: the uploader of the intake and of the feedback (a phone
offers its camera), and the thumbnails by stage, each opening the photo in full.

The photos come with the case's detail (services/case_lists.py, only to whoever may see
the case); the full photo is read when asked for, uncached (a cache of photos would hold
megabytes per case)."""

from __future__ import annotations

import streamlit as st

from models.cases import CasePhotoStage
from services import case_lists
from services.access import Actor
from services.case_lists import CaseDetail, PhotoThumb
from services.case_photos import MAX_PHOTOS, MAX_UPLOAD_MB
from ui.actions import read_fresh
from ui.fmt import when
from ui.i18n import t
from ui.records import record_key
from ui.text import plain

SCOPE = "case_photo"
SHOWN = "cases_photo_shown"  # the id of the photo shown in full
# what the uploader offers; the service checks the content itself, whatever the name
TYPES = ["jpg", "jpeg", "png", "webp"]
THUMB_WIDTH = 160  # px: three side by side on a desktop card, a column of them on a phone
FULL_SIDE = 720  # px: a photo shown in full is at most this wide and this high


def photo_uploader(key: str) -> list[bytes]:
    """Up to MAX_PHOTOS photos (optional), as uploaded."""
    files = st.file_uploader(
        t("cases.photos_label", n=MAX_PHOTOS),
        type=TYPES,
        accept_multiple_files=True,
        max_upload_size=MAX_UPLOAD_MB,
        help=t("cases.photos_help", n=MAX_PHOTOS, mb=MAX_UPLOAD_MB),
        key=key,
    )
    return [f.getvalue() for f in files or []]


def _thumb(photo: PhotoThumb) -> None:
    st.image(photo.thumbnail, width=THUMB_WIDTH, caption=f"{when(photo.at)} {plain(photo.who)}")
    if st.button(
        t("cases.photo_open"),
        key=record_key(SCOPE, "open", photo.id),
        icon=":material/zoom_in:",
        width=THUMB_WIDTH,
    ):
        st.session_state[SHOWN] = photo.id
        st.rerun()


def _full(actor: Actor, photo_id: int) -> None:
    photo = read_fresh(case_lists.case_photo, actor=actor, photo_id=photo_id)
    # as large as a screen shows whole, never beyond the photo itself
    width = min(photo.width, FULL_SIDE, photo.width * FULL_SIDE // photo.height)
    with st.container(border=True, key=record_key(SCOPE, "full", photo_id)):
        st.image(photo.data, width=width)
        if st.button(
            t("cases.photo_close"),
            key=record_key(SCOPE, "close", photo_id),
            icon=":material/close:",
        ):
            st.session_state.pop(SHOWN, None)
            st.rerun()


def photo_section(actor: Actor, detail: CaseDetail) -> None:
    """The case's photos, the report's then the result's, three to a row."""
    if not detail.photos:
        return
    for stage in CasePhotoStage:
        photos = [p for p in detail.photos if p.stage == stage.value]
        if not photos:
            continue
        st.caption(f":material/photo_camera: {t(f'cases.photos.{stage.value}')}")
        for start in range(0, len(photos), MAX_PHOTOS):
            row = photos[start : start + MAX_PHOTOS]
            for column, photo in zip(st.columns(MAX_PHOTOS), row, strict=False):
                with column:
                    _thumb(photo)
    shown = st.session_state.get(SHOWN)
    if shown in {p.id for p in detail.photos}:
        _full(actor, shown)
