"""Photos of a case: a phone's photo is stored upright, downscaled and without its EXIF
(its GPS above all); PNG and WebP are taken; a file that is not a photo (whatever its
name), a fourth photo or one over 10 MB refuses the step with nothing written, not even
the case; a photo is read only by whoever may see its case."""

from __future__ import annotations

import io
import json

import pytest
from PIL import ExifTags, Image
from sqlmodel import Session, func, select

from models.audit import AuditEntry
from models.cases import Case, CasePhoto, CaseStep
from services import case_lists, cases
from services.cases import CaseDraft
from services.errors import BoardError
from tests.services.case_setup import FRIDAY, CaseWorld, case_in, case_world, report, status_of

ORIENTATION = 0x0112
ROTATE_90_CW = 6  # the phone was held upright: the pixels lie on their side


@pytest.fixture
def w(session) -> CaseWorld:
    return case_world(session)


def phone_jpeg(width: int = 3000, height: int = 2000) -> bytes:
    """A photo as a phone saves it: on its side (EXIF orientation 6), with where it was
    taken; its left half red, its right half blue (upright: red on top)."""
    image = Image.new("RGB", (width, height), "blue")
    image.paste("red", (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[ORIENTATION] = ROTATE_90_CW
    exif[ExifTags.Base.Make] = "Phone"
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (40.0, 49.0, 12.0), 3: "E", 4: (111.0, 40.0, 5.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95, exif=exif)
    return out.getvalue()


def encoded(fmt: str, size=(200, 100), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else "green").save(out, format=fmt)
    return out.getvalue()


def draft(w: CaseWorld) -> CaseDraft:
    return CaseDraft(category="facilities", description="3号楼门口路灯不亮", grid_id=w.grid_id)


def counts(session: Session) -> tuple[int, int, int]:
    session.expire_all()
    return tuple(  # type: ignore[return-value]
        session.exec(select(func.count()).select_from(table)).one()
        for table in (Case, CaseStep, CasePhoto)
    )


def photos_of(session: Session, case_id: int) -> list[CasePhoto]:
    return list(session.exec(select(CasePhoto).where(CasePhoto.case_id == case_id)).all())


def test_a_phone_photo_is_stored_upright_downscaled_and_without_exif(session, w):
    source = Image.open(io.BytesIO(phone_jpeg()))
    assert source.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the phone said where

    case_id = cases.case_report(
        session=session, actor=w.wangge, draft=draft(w), photos=[phone_jpeg()], now=FRIDAY
    )
    session.commit()

    (photo,) = photos_of(session, case_id)
    assert (photo.stage, photo.content_type, photo.taken_by) == (
        "report",
        "image/jpeg",
        w.wangge.id,
    )
    assert (photo.width, photo.height) == (853, 1280)  # upright, longest side 1280
    stored = Image.open(io.BytesIO(photo.data))
    assert (stored.format, stored.size) == ("JPEG", (853, 1280))
    assert len(stored.getexif()) == 0 and "exif" not in stored.info
    assert b"GPS" not in photo.data and b"Exif" not in photo.data
    assert stored.getpixel((426, 100))[0] > 200  # red on top: turned upright
    assert stored.getpixel((426, 1180))[2] > 200  # blue below
    thumb = Image.open(io.BytesIO(photo.thumbnail))
    assert (thumb.format, thumb.size) == ("JPEG", (213, 320))
    assert len(thumb.getexif()) == 0
    # its audit entry says how big, not the bytes
    entry = session.exec(select(AuditEntry).where(AuditEntry.table_name == "casephoto")).one()
    assert json.loads(entry.changes) == {
        "case_id": case_id,
        "stage": "report",
        "width": 853,
        "height": 1280,
        "bytes": len(photo.data),
    }


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_are_taken_as_they_are_never_enlarged(session, w, fmt):
    case_id = cases.case_report(
        session=session, actor=w.wangge, draft=draft(w), photos=[encoded(fmt)], now=FRIDAY
    )
    session.commit()
    (photo,) = photos_of(session, case_id)
    stored = Image.open(io.BytesIO(photo.data))
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (200, 100))
    assert (photo.width, photo.height) == (200, 100)
    r, g, b = stored.getpixel((100, 50))
    assert g > r and g > b and r > 90  # half-transparent green, on white


def test_three_photos_are_taken_with_the_report(session, w):
    case_id = cases.case_report(
        session=session,
        actor=w.wangge,
        draft=draft(w),
        photos=[phone_jpeg(400, 300), encoded("PNG"), encoded("WEBP")],
        now=FRIDAY,
    )
    session.commit()
    assert len(photos_of(session, case_id)) == 3


TRUNCATED = phone_jpeg(800, 600)[:5000]


@pytest.mark.parametrize(
    ("photos", "key", "params"),
    [
        pytest.param([b"not a photo at all, though named lamp.jpg"], "photo_not_image", {"n": 1}),
        pytest.param([encoded("PNG"), TRUNCATED], "photo_not_image", {"n": 2}, id="truncated"),
        pytest.param([encoded("GIF", mode="RGB")], "photo_not_image", {"n": 1}, id="gif"),
        pytest.param([encoded("PNG")] * 4, "photo_too_many", {"n": 3}, id="four"),
        pytest.param([b"\xff" * (10 * 1024 * 1024 + 1)], "photo_too_large", {"n": 1, "mb": 10}),
    ],
)
def test_a_bad_photo_refuses_the_report_and_nothing_is_written(session, w, photos, key, params):
    before = counts(session)
    with pytest.raises(BoardError) as refused:
        cases.case_report(
            session=session, actor=w.wangge, draft=draft(w), photos=photos, now=FRIDAY
        )
    session.rollback()
    assert (refused.value.key, refused.value.params) == (f"cases.{key}", params)
    assert counts(session) == before


def test_a_picture_too_big_to_unpack_is_refused(session, w):
    out = io.BytesIO()
    Image.new("1", (9000, 8000)).save(out, format="PNG")  # a few kB, 72 megapixels
    with pytest.raises(BoardError) as refused:
        cases.case_report(
            session=session, actor=w.wangge, draft=draft(w), photos=[out.getvalue()], now=FRIDAY
        )
    assert refused.value.key == "cases.photo_too_many_pixels"


def test_the_feedback_carries_photos_of_the_result(session, w):
    case_id = case_in(session, w, "dispatched")
    cases.case_feedback(
        session=session,
        actor=w.wangge,
        case_id=case_id,
        result="已更换灯泡",
        photos=[phone_jpeg(1200, 900)],
        now=FRIDAY,
    )
    session.commit()
    (photo,) = photos_of(session, case_id)
    assert (photo.stage, photo.width, photo.height) == ("result", 900, 1200)
    assert status_of(session, case_id) == "handled"


def test_a_bad_photo_refuses_the_feedback_whole(session, w):
    case_id = case_in(session, w, "dispatched")
    before = counts(session)
    with pytest.raises(BoardError):
        cases.case_feedback(
            session=session,
            actor=w.wangge,
            case_id=case_id,
            result="已更换灯泡",
            photos=[b"%PDF-1.4"],
            now=FRIDAY,
        )
    session.rollback()
    assert counts(session) == before
    assert status_of(session, case_id) == "dispatched"


def test_a_photo_is_read_only_by_whoever_sees_its_case(session, w):
    case_id = report(session, w)
    cases.case_note(session=session, actor=w.shuji, case_id=case_id, note="先看照片")
    photo_case = cases.case_report(
        session=session, actor=w.wangge, draft=draft(w), photos=[phone_jpeg(640, 480)]
    )
    session.commit()
    (photo,) = photos_of(session, photo_case)
    for who in (w.wangge, w.shuji, w.admin):
        full = case_lists.case_photo(session=session, actor=who, photo_id=photo.id)
        assert (full.data, full.width) == (photo.data, 480)
        detail = case_lists.case_detail(
            session=session, actor=who, case_id=photo_case, today=FRIDAY.date()
        )
        assert [(p.id, p.stage, p.thumbnail) for p in detail.photos] == [
            (photo.id, "report", photo.thumbnail)
        ]
    refusals = {
        "other community's secretary": (w.other_shuji, "access.other_community"),
        "another grid's worker": (w.wangge2, "cases.not_yours"),
        "a volunteer not given it": (w.zhiyuan, "cases.not_yours"),
        "the meeting display": (w.huiyi, "access.denied"),
    }
    for who, key in refusals.values():
        with pytest.raises(BoardError) as refused:
            case_lists.case_photo(session=session, actor=who, photo_id=photo.id)
        assert refused.value.key == key
    with pytest.raises(BoardError) as refused:
        case_lists.case_photo(session=session, actor=w.shuji, photo_id=photo.id + 1000)
    assert refused.value.key == "common.not_found"
    # a case without photos has none in its detail
    plain = case_lists.case_detail(
        session=session, actor=w.shuji, case_id=case_id, today=FRIDAY.date()
    )
    assert plain.photos == ()
