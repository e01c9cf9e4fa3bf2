"""A ``requests`` session that trusts the emulator's CA, whatever the environment says.

``requests`` lets ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE`` override ``Session.verify``, so a CA
stored on the session alone is silently ignored. The adapter here passes the CA file on every
request instead. It can also send ``https://*.salesforce.com`` requests to the emulator, which
lets unmodified clients that build login URLs from a ``domain`` (simple-salesforce) log in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

if TYPE_CHECKING:
    from pathlib import Path

SALESFORCE_DOMAIN_SUFFIX = ".salesforce.com"


class TrustedCaAdapter(HTTPAdapter):
    """Verifies TLS against one CA file and optionally redirects Salesforce hosts.

    Args:
        ca_file: The CA certificate to trust.
        salesforce_netloc: ``host:port`` that ``*.salesforce.com`` requests go to, or None.
    """

    def __init__(self, ca_file: Path, salesforce_netloc: str | None = None) -> None:
        """See the class docstring."""
        super().__init__()
        self.ca_file = str(ca_file)
        self.salesforce_netloc = salesforce_netloc

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """Send with ``verify`` forced to the CA file (and the host rewritten if asked)."""
        kwargs["verify"] = self.ca_file
        if self.salesforce_netloc and request.url:
            parts = urlsplit(request.url)
            if (parts.hostname or "").endswith(SALESFORCE_DOMAIN_SUFFIX):
                request.url = urlunsplit(parts._replace(netloc=self.salesforce_netloc))
        return super().send(request, **kwargs)


def trusted_session(ca_file: Path, *, salesforce_netloc: str | None = None) -> requests.Session:
    """A session for the emulator.

    TLS is verified against ``ca_file`` even with ``REQUESTS_CA_BUNDLE`` set;
    ``*.salesforce.com`` requests go to ``salesforce_netloc`` if given.
    """
    session = requests.Session()
    session.mount("https://", TrustedCaAdapter(ca_file, salesforce_netloc))
    return session
