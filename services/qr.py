"""QR codes for links posted in the WeChat group."""

from __future__ import annotations

import io

import qrcode


def qr_png(url: str) -> bytes:
    image = qrcode.make(url, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
