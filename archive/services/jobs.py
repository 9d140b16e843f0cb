"""Jobs: work that outlasts a request (a re-index, a large import) run in a background
thread of the web worker, one of a kind at a time, its progress in admin.db."""

from .. import jobs

Busy = jobs.Busy


class Jobs:
    """The background jobs of an instance."""

    def __init__(self, archive):
        self.archive = archive

    def reindex(self, user):
        """Start a background re-index; returns the job id (raises Busy)."""
        return jobs.start_reindex(self.archive, user)

    def import_plans(self, user, plans, allow_removal=False, accept_counts=False,
                     accept_ocr=False):
        """Store previewed plans and index them in the background; returns the job id
        (raises Busy)."""
        return jobs.start_import(self.archive, user, plans, allow_removal, accept_counts,
                                 accept_ocr)
