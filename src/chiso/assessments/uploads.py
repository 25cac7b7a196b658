"""An upload handler that stops reading a file once it passes the evidence size limit, so a
client that hides the size (or lies about it) cannot fill the disk."""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class LimitedUploadHandler(FileUploadHandler):
    def __init__(self, limit: int, request=None):
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            if self.request is not None:
                self.request._upload_too_large = self.file_name
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None
