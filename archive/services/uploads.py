"""Uploads: the admin's import workflow — stage the files, preview what the parser
read (parsed once, in the sandbox), supply metadata the files lack, pick between a
page and its attachments where they disagree, then confirm (stored now, or as a
background job when large) or cancel. The staged folders are archive/uploads.py's."""

from dataclasses import dataclass
from pathlib import Path

from .. import importer, jobs, uploads

Gone = uploads.Gone
CountMismatch = importer.CountMismatch
OcrNotReviewed = importer.OcrNotReviewed
RemovalNotConfirmed = importer.RemovalNotConfirmed


@dataclass
class Upload:
    """A staged upload: its folder, meta.json (who, the names, the admin's metadata and
    picks) and token."""

    folder: Path
    meta: dict
    token: str


class Uploads:
    """Staged uploads of an instance (instance/uploads/)."""

    def __init__(self, archive):
        self.archive = archive

    @property
    def root(self):
        """The folder holding the staged uploads."""
        return self.archive.instance.uploads_path

    def expire(self):
        """Remove expired (or half-written) previews; returns how many."""
        return uploads.expire(self.root)

    def stage(self, user, files, overrides):
        """Keep (name, bytes) files (the notice first) for a preview; returns the Upload.
        Its first plan(parse=True) parses them; later ones reuse what was read."""
        token = uploads.stage(self.root, user, files, overrides)
        return self.open(token, user)

    def open(self, token, user):
        """The live upload `token` of `user` (Gone if missing, expired or someone else's)."""
        folder, meta = uploads.open_preview(self.root, token, user)
        return Upload(folder, meta, token)

    def parsed(self, upload, parse=False, folder=None):
        """What the sandbox read of an upload's files: kept from the upload, parsed again
        only when asked (the admin changed the metadata)."""
        folder = folder or upload.folder
        kept = None if parse else uploads.load_parsed(folder)
        if kept is None:
            files, attachments = uploads.files(folder, upload.meta)
            kept = self.archive.imports.parse_files(files, upload.meta.get("overrides"),
                                                    attachments, upload.meta.get("guide"))
            uploads.save_parsed(folder, kept)
        return kept

    def plan(self, upload, parse=False):
        """The plans of an upload (nothing written); ParseError when it cannot be read."""
        return self.archive.imports.plan_parsed(self.parsed(upload, parse),
                                                upload.meta.get("choices"))

    def set_guide(self, upload, guide):
        """Say where the list is (ingest/guide.py; None: let the reader find it); plan the
        upload with parse=True next."""
        upload.meta["guide"] = guide
        uploads.save_meta(upload.folder, upload.meta)

    def set_overrides(self, upload, overrides):
        """Supply or correct the notice metadata (plan the upload with parse=True next)."""
        upload.meta["overrides"] = overrides
        uploads.save_meta(upload.folder, upload.meta)

    def confirm(self, upload, user, choices, allow_removal=False, accept_counts=False,
                accept_ocr=False):
        """Import an upload as previewed: what was read at upload, never parsed again.
        Returns ("stored" or "started", plans): stored now, or started as a background
        job (more than IMPORT_JOB_ROWS entries).

        Raises Gone (confirmed or cancelled by another request first), CountMismatch
        and RemovalNotConfirmed (the upload stays, for another try), jobs.Busy (the
        same), ParseError and IndexPending (the upload is gone: it failed, or it was
        stored)."""
        upload.meta["choices"] = choices
        uploads.save_meta(upload.folder, upload.meta)
        taken = uploads.claim(upload.folder)
        try:
            plans = self.archive.imports.plan_parsed(self.parsed(upload, folder=taken), choices)
            if not accept_ocr and any(p.parsed.ocr for p in plans):
                raise OcrNotReviewed(importer.ocr_message(plans))
            if not accept_counts and any(p.mismatches for p in plans):
                raise CountMismatch(importer.mismatch_message(plans))
            if not allow_removal and any(p.removed for p in plans):
                raise RemovalNotConfirmed(importer.removal_message(plans))
            if sum(len(p.rows) for p in plans) > self.archive.settings["IMPORT_JOB_ROWS"]:
                self.archive.jobs.import_plans(user, plans, allow_removal, accept_counts,
                                               accept_ocr)
                outcome = "started"
            else:
                self.archive.imports.apply(plans, user=user, allow_removal=allow_removal,
                                           accept_counts=accept_counts, procs=1,
                                           accept_ocr=accept_ocr)
                outcome = "stored"
        except (CountMismatch, OcrNotReviewed, RemovalNotConfirmed, jobs.Busy):
            uploads.release(taken)
            raise
        except Exception:  # ParseError, IndexPending (stored, index pending) …
            uploads.discard(taken)
            raise
        uploads.discard(taken)
        return outcome, plans

    def cancel(self, upload):
        """Discard an upload (Gone if another request confirmed or cancelled it first)."""
        uploads.discard(uploads.claim(upload.folder))

    def discard(self, upload):
        """Remove an upload that cannot be imported."""
        uploads.discard(upload.folder)
