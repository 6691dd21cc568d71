"""Uploaded photos: validated as real images, size-limited, re-encoded without their metadata.

Re-encoding drops EXIF (including GPS location) unless the caller keeps it on purpose.
"""
from __future__ import annotations

import io
import uuid

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import JicengError

MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 2560
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "MPO": "jpg"}


def clean_photo(upload, *, field: str = "photo", keep_location: bool = False) -> ContentFile:
    """Return a safe copy of an uploaded photo, or raise a JicengError naming the field."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_PHOTO_BYTES:
        raise JicengError(_("照片过大（上限 8 MB）"), field=field, code="too_large")
    data = upload.read()
    if len(data) > MAX_PHOTO_BYTES:
        raise JicengError(_("照片过大（上限 8 MB）"), field=field, code="too_large")
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in FORMATS:
            raise JicengError(_("只接受 JPEG、PNG 或 WebP 格式的照片"), field=field, code="bad_image")
        if image.width * image.height > MAX_PIXELS:
            raise JicengError(_("照片像素过多"), field=field, code="too_large")
        exif = image.getexif() if keep_location else None
        image = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError):
        raise JicengError(_("上传的文件不是有效的图片"), field=field, code="bad_image") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        image.save(out, "PNG", optimize=True)
        ext = "png"
    else:
        kwargs = {"quality": 85}
        if keep_location and exif:
            kwargs["exif"] = exif
        image.convert("RGB").save(out, "JPEG", **kwargs)
        ext = "jpg"
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}")
