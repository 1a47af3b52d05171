"""Photos of a case (optional): taken at its report and with its result.

A phone's photo is several megabytes, lies on its side until its EXIF orientation is
applied, and its EXIF says where it was taken (GPS) and with what. So every photo is
checked by its content (never its name: a text file named .jpg is refused), then stored
as the board made it: upright, at most PHOTO_LONGEST_SIDE px a side, a JPEG of quality
80 with no EXIF, ICC or XMP metadata, beside a thumbnail for the case's card.

`prepare` checks and converts every photo of a step before anything is written, so one
bad photo refuses the step whole (the case is not reported either); `attach` adds them
in the transaction of their step (services/cases.py case_report, case_feedback). Who may
see a photo is who may see its case (services/case_lists.py reads them).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlmodel import Session

from models.cases import PHOTO_LONGEST_SIDE, THUMBNAIL_LONGEST_SIDE, CasePhoto, CasePhotoStage
from services import audit
from services.access import Actor
from services.errors import BoardError

MAX_PHOTOS = 3  # a step's photos
MAX_UPLOAD_MB = 10  # a photo as uploaded
FORMATS = ("JPEG", "PNG", "WEBP")  # what Pillow opens here (HEIC would need a plug-in)
# a 48-megapixel phone photo opens; a small file that unpacks into gigabytes does not
MAX_PIXELS = 64_000_000
QUALITY = 80
CONTENT_TYPE = "image/jpeg"


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo as it is stored: a clean JPEG, its size, and its thumbnail."""

    data: bytes
    width: int
    height: int
    thumbnail: bytes


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=QUALITY, optimize=True)  # no exif= : none kept
    return out.getvalue()


def _opened(raw: bytes, n: int) -> Image.Image:
    """The n-th photo decoded, upright, in RGB (transparency on white), with no metadata
    left on it; refused when it is not a photo the board takes."""
    if len(raw) > MAX_UPLOAD_MB * 1024 * 1024:
        raise BoardError("cases.photo_too_large", n=n, mb=MAX_UPLOAD_MB)
    try:
        with Image.open(io.BytesIO(raw), formats=FORMATS) as image:
            if image.width * image.height > MAX_PIXELS:
                raise BoardError("cases.photo_too_many_pixels", n=n)
            # a JPEG decodes at 1/2, 1/4 or 1/8 of its size, still no smaller than asked
            image.draft("RGB", (PHOTO_LONGEST_SIDE, PHOTO_LONGEST_SIDE))
            upright = ImageOps.exif_transpose(image)
            upright.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BoardError("cases.photo_not_image", n=n) from None
    if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        upright = flat
    clean = upright.convert("RGB")
    clean.info = {}  # EXIF (GPS), ICC, XMP: nothing of the phone's goes on
    return clean


def _prepared(raw: bytes, n: int) -> PreparedPhoto:
    image = _opened(raw, n)
    image.thumbnail((PHOTO_LONGEST_SIDE, PHOTO_LONGEST_SIDE), Image.Resampling.LANCZOS)
    data = _jpeg(image)
    width, height = image.size
    image.thumbnail((THUMBNAIL_LONGEST_SIDE, THUMBNAIL_LONGEST_SIDE), Image.Resampling.LANCZOS)
    return PreparedPhoto(data=data, width=width, height=height, thumbnail=_jpeg(image))


def prepare(photos: Sequence[bytes]) -> tuple[PreparedPhoto, ...]:
    """The photos of one step, checked and converted; refused whole when there are more
    than MAX_PHOTOS or one of them is not a photo (its place, 1 to 3, is said)."""
    if len(photos) > MAX_PHOTOS:
        raise BoardError("cases.photo_too_many", n=MAX_PHOTOS)
    return tuple(_prepared(bytes(raw), n) for n, raw in enumerate(photos, start=1))


def attach(
    session: Session,
    actor: Actor,
    case_id: int,
    stage: CasePhotoStage,
    photos: Sequence[PreparedPhoto],
    now: datetime,
) -> None:
    """Adds the prepared photos to the case, each audited (its size, not its bytes)."""
    for photo in photos:
        row = CasePhoto(
            case_id=case_id,
            stage=stage,
            content_type=CONTENT_TYPE,
            data=photo.data,
            thumbnail=photo.thumbnail,
            width=photo.width,
            height=photo.height,
            taken_by=actor.id,
            created_at=now,
        )
        session.add(row)
        audit.record(
            session,
            actor_id=actor.id,
            action="create",
            row=row,
            changes={
                "case_id": case_id,
                "stage": stage,
                "width": photo.width,
                "height": photo.height,
                "bytes": len(photo.data),
            },
        )
