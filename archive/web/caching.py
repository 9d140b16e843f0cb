"""ETag / Last-Modified on responses derived from the live snapshot."""

from datetime import datetime, timezone

from flask import request

from index.snapshots import NoSnapshot


def conditional(response, archive):
    """Add a content ETag and the index's Last-Modified; answer 304 when fresh."""
    if request.method != "GET" or response.status_code != 200 or response.is_streamed:
        return response
    try:
        stamp = archive.indexing.last_modified()
    except NoSnapshot:
        stamp = None
    if stamp:
        response.last_modified = datetime.fromtimestamp(int(stamp), timezone.utc)
    response.add_etag()
    response.headers.setdefault("Cache-Control", "no-cache")
    return response.make_conditional(request)
