"""Accounts: admin users, logins (throttled as the settings say) and sessions."""

from .. import auth

AuthError = auth.AuthError
Throttled = auth.Throttled


class Accounts:
    """The admin accounts of an instance (admin.db)."""

    def __init__(self, archive):
        self.archive = archive

    def login(self, name, password, address):
        """Check a login with the instance's limits (LOGIN_*); returns the user name.
        Raises Throttled or AuthError (see auth.login)."""
        settings = self.archive.settings
        return auth.login(self.archive.private, name, password, address, settings)

    def create(self, name, password):
        """Create an admin user (AuthError if the name is taken or the password weak)."""
        return auth.create_user(self.archive.private, name, password)

    def set_password(self, name, password):
        """Set a user's password; their sessions end."""
        return auth.set_password(self.archive.private, name, password)

    def session_version(self, name):
        """The user's session version (None if no such user): a session of another
        version has been ended."""
        return auth.session_version(self.archive.private, name)

    def end_sessions(self, name):
        """End every session of the user (logout everywhere)."""
        return auth.end_sessions(self.archive.private, name)
