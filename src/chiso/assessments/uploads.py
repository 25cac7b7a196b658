"""The upload handler that stops reading a file once it passes the evidence size limit, so a
client that hides the size (or lies about it) cannot fill the disk: chiso.core.uploads has it."""

from chiso.core.uploads import BoundedUploadHandler as LimitedUploadHandler

__all__ = ["LimitedUploadHandler"]
