"""The SOAP partner ``login`` call (``POST /services/Soap/u/XX.X``), as simple-salesforce uses it.

Only ``login`` is implemented: the request's ``username`` and ``password`` (the password with the
security token appended) are checked and the response carries ``sessionId`` and ``serverUrl``
unprefixed in the ``urn:partner.soap.sforce.com`` namespace. A failure is HTTP 500 with a SOAP
fault whose ``sf:exceptionCode`` is ``INVALID_LOGIN``.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import ParseError
from xml.sax.saxutils import escape

from defusedxml import ElementTree

PARTNER_NS = "urn:partner.soap.sforce.com"
_ENVELOPE_NS = "http://schemas.xmlsoap.org/soap/envelope/"
INVALID_LOGIN_MESSAGE = "Invalid username, password, security token; or user locked out."


@dataclass(frozen=True)
class SoapLoginRequest:
    """The credentials of a SOAP ``login`` call."""

    username: str
    password: str


class SoapFaultError(Exception):
    """A SOAP fault to send back (HTTP 500)."""

    def __init__(self, code: str, message: str, fault_type: str = "LoginFault") -> None:
        """Build the fault; ``code`` becomes ``sf:exceptionCode``."""
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.fault_type = fault_type

    def xml(self) -> str:
        """The fault envelope."""
        code, message = escape(self.code), escape(self.message)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}" '
            'xmlns:sf="urn:fault.partner.soap.sforce.com" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<soapenv:Body><soapenv:Fault>"
            f"<faultcode>sf:{code}</faultcode>"
            f"<faultstring>{code}: {message}</faultstring>"
            f'<detail><sf:{self.fault_type} xsi:type="sf:{self.fault_type}">'
            f"<sf:exceptionCode>{code}</sf:exceptionCode>"
            f"<sf:exceptionMessage>{message}</sf:exceptionMessage>"
            f"</sf:{self.fault_type}></detail>"
            "</soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        )


def invalid_login() -> SoapFaultError:
    """The fault of a wrong username, password or security token."""
    return SoapFaultError("INVALID_LOGIN", INVALID_LOGIN_MESSAGE)


def parse_login(body: bytes) -> SoapLoginRequest:
    """Read the credentials of a ``login`` envelope.

    Raises:
        SoapFaultError: ``INVALID_LOGIN`` when username or password is missing; a client fault
            (``soapenv:Client``-like ``INVALID_REQUEST``) when the body is not a login envelope.
    """
    try:
        root = ElementTree.fromstring(body)
    except (ParseError, ValueError) as exc:
        raise SoapFaultError(
            "INVALID_REQUEST", "The request is not a well-formed SOAP envelope", "UnexpectedError"
        ) from exc
    login = root.find(f".//{{{PARTNER_NS}}}login")
    if login is None:
        raise SoapFaultError(
            "INVALID_REQUEST",
            "Only the partner 'login' call is available on this endpoint",
            "UnexpectedError",
        )
    username = login.findtext(f"{{{PARTNER_NS}}}username")
    password = login.findtext(f"{{{PARTNER_NS}}}password")
    if not username or not password:
        raise invalid_login()
    return SoapLoginRequest(username=username.strip(), password=password)


def login_response(
    *,
    session_id: str,
    server_url: str,
    metadata_url: str,
    user_id: str,
    org_id: str,
    username: str,
    session_seconds: int,
) -> str:
    """The ``loginResponse`` envelope."""
    values = {
        "metadataServerUrl": metadata_url,
        "passwordExpired": "false",
        "sandbox": "false",
        "serverUrl": server_url,
        "sessionId": session_id,
        "userId": user_id,
    }
    result = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in values.items())
    user_info = (
        "<userInfo>"
        f"<organizationId>{escape(org_id)}</organizationId>"
        "<organizationName>Salesforce Emulator</organizationName>"
        f"<sessionSecondsValid>{session_seconds}</sessionSecondsValid>"
        f"<userEmail>{escape(username)}</userEmail>"
        f"<userFullName>Integration User</userFullName>"
        f"<userId>{escape(user_id)}</userId>"
        f"<userName>{escape(username)}</userName>"
        "</userInfo>"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<soapenv:Envelope xmlns:soapenv="{_ENVELOPE_NS}" xmlns="{PARTNER_NS}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soapenv:Body><loginResponse><result>{result}{user_info}</result></loginResponse>"
        "</soapenv:Body></soapenv:Envelope>"
    )
