"""API authentication: the browser session (with CSRF) or a bearer token."""

from ninja.security import APIKeyCookie, HttpBearer

from vetq.accounts.services import token_authenticate


class SessionAuth(APIKeyCookie):
    """The signed-in session; unsafe methods still need the CSRF token."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated else None


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user
