"""The SQL layer: the public store (archive.db: notices, entries, versions, the index
queue) and the private one (admin.db: accounts, logins, audit, jobs). Services use
these; views and CLI commands never do."""
