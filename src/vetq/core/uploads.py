"""Uploaded files: checked by content (never by name), capped in size, Office files checked
against zip bombs, stored under random names through Django's storage API."""

import hashlib
import io
import zipfile

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext as _

from .models import StoredFile

PDF, DOCX, XLSX, DOC, XLS, JPEG, PNG = "pdf", "docx", "xlsx", "doc", "xls", "jpg", "png"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DOC: "application/msword",
    XLS: "application/vnd.ms-excel",
    JPEG: "image/jpeg",
    PNG: "image/png",
}
DOCUMENT_KINDS = frozenset(CONTENT_TYPES)
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
MAX_ZIP_ENTRIES = 5000


class UploadRefused(ValueError):
    """An upload that is not accepted; the message says why, in the user's language."""


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def too_large(limit: int) -> UploadRefused:
    return UploadRefused(
        _("The file is larger than the limit of %(limit)s.") % {"limit": _megabytes(limit)}
    )


def _office_kind(data: bytes) -> str:
    """docx or xlsx by the parts inside the zip; refuse anything else and zip bombs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise UploadRefused(_("The file is damaged.")) from error
    if len(members) > MAX_ZIP_ENTRIES:
        raise UploadRefused(_("The file holds too many parts to be a real document."))
    unpacked = sum(m.file_size for m in members)
    if unpacked > max(len(data), 1) * settings.VETQ_UPLOAD_MAX_EXPANSION or (
        unpacked > settings.VETQ_UPLOAD_MAX_UNPACKED_BYTES
    ):
        raise UploadRefused(_("The file unpacks to far more than its size (a zip bomb?)."))
    names = {m.filename for m in members}
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    raise UploadRefused(_("Only PDF, Word, Excel and image files are accepted."))


def inspect(data: bytes, allowed: frozenset[str] = DOCUMENT_KINDS) -> str:
    """The kind of file the bytes hold (pdf, docx, xlsx, doc, xls, jpg, png), judged by
    content. Refuses other kinds, kinds not in `allowed`, and damaged Office files."""
    if data.startswith(b"%PDF-"):
        kind = PDF
    elif data.startswith(b"PK\x03\x04"):
        kind = _office_kind(data)
    else:
        guess = filetype.guess(data[:8192])
        kind = {"jpg": JPEG, "png": PNG, "doc": DOC, "xls": XLS}.get(
            guess.extension if guess else "", ""
        )
        if not kind and data.startswith(OLE_MAGIC):
            raise UploadRefused(_("Only PDF, Word, Excel and image files are accepted."))
    if not kind or kind not in allowed:
        raise UploadRefused(_("Only PDF, Word, Excel and image files are accepted."))
    return kind


def read_capped(upload, limit: int) -> bytes:
    """An upload's bytes, refusing it as soon as it passes `limit`."""
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise too_large(limit)
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise too_large(limit)
    if not data:
        raise UploadRefused(_("The file is empty."))
    return data


def stored_file_create(*, upload, by, allowed: frozenset[str] = DOCUMENT_KINDS,
                       limit: int | None = None) -> StoredFile:
    """Check an upload and store it under a random name. Raises UploadRefused, storing nothing."""
    limit = limit or settings.VETQ_UPLOAD_MAX_BYTES
    data = read_capped(upload, limit)
    kind = inspect(data, allowed)
    name = (getattr(upload, "name", "") or f"file.{kind}").replace("\\", "/").rsplit("/", 1)[-1]
    stored = StoredFile(
        original_name=name[:255],
        extension=kind,
        content_type=CONTENT_TYPES[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    stored.file.save(f"upload.{kind}", ContentFile(data), save=False)
    stored.save()
    return stored


def stored_file_response(stored: StoredFile) -> FileResponse:
    """Download with the detected content type and a safe Content-Disposition (attachment,
    RFC 6266 file name encoding), so a browser never renders an upload inline."""
    response = FileResponse(
        stored.file.open("rb"), as_attachment=True, filename=stored.original_name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
