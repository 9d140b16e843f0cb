"""The archive's services: what the web views and CLI commands call. Each takes the
application object (archive.Archive) and uses its connections (archive/db/) and
live index; none imports Flask or click."""

from .accounts import Accounts
from .backups import Backups
from .corrections import Corrections
from .imports import Imports
from .indexing import Indexing
from .jobs import Jobs
from .publishing import Publishing
from .records import Records
from .releases import Releases
from .statistics import Statistics
from .uploads import Uploads

__all__ = ["Accounts", "Backups", "Corrections", "Imports", "Indexing", "Jobs", "Publishing",
           "Records", "Releases", "Statistics", "Uploads"]
