"""Files attached to a case (a scanned document, a photo), held encrypted in the database.

Why the database and not files in the data directory: a PostgreSQL deployment runs stateless app
servers behind a load balancer (no shared disk), erasure deletes the rows in the same transaction
that anonymises the person, a backup of the database holds the whole case, and no file of the
data directory can be left behind by a crash between two steps.

``content`` is ``nonce + AES-256-GCM(ciphertext + tag)`` under the key ``content_key`` of the key
ring (``safepath.privacy.blobs``), bound to the attachment's code; the file name is personal data
too (``EncryptedText``). Attachments are addressed by a random code, never by id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from safepath.store.encrypted import EncryptedText
from safepath.store.models.base import Base, utcnow


class CaseAttachment(Base):
    __tablename__ = "case_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(EncryptedText())  # the uploader's file name
    media_type: Mapped[str] = mapped_column(String(40))  # told by the content (magic bytes)
    size: Mapped[int] = mapped_column(Integer)  # bytes of the plaintext
    # the key ring's key the content is encrypted with (rotation finds the stale ones by it)
    content_key: Mapped[str] = mapped_column(String(32), index=True)
    # loaded only when the file itself is asked for, never with a list
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
