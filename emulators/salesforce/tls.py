"""The emulator's TLS material: a local certificate authority and a server certificate.

Generated once per data folder on first start and kept there, so clients trust one CA file
across restarts. The server certificate names ``127.0.0.1``, ``::1`` and ``localhost``.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

if TYPE_CHECKING:
    from pathlib import Path

logger = logging.getLogger(__name__)

CA_FILE_NAME = "ca.pem"
CA_KEY_FILE_NAME = "ca-key.pem"
SERVER_CERT_FILE_NAME = "server.pem"
SERVER_KEY_FILE_NAME = "server-key.pem"
_KEY_SIZE = 2048
_CA_YEARS = 10
_SERVER_DAYS = 825


@dataclass(frozen=True)
class TlsFiles:
    """Paths of the TLS files in a data folder.

    Attributes:
        ca_file: The CA certificate clients must trust (PEM).
        cert_file: The server certificate (PEM).
        key_file: The server's private key (PEM, readable by the owner only).
    """

    ca_file: Path
    cert_file: Path
    key_file: Path


def tls_files(directory: Path) -> TlsFiles:
    """Return where the TLS files of ``directory`` live (they may not exist yet)."""
    return TlsFiles(
        ca_file=directory / CA_FILE_NAME,
        cert_file=directory / SERVER_CERT_FILE_NAME,
        key_file=directory / SERVER_KEY_FILE_NAME,
    )


def ensure_tls_files(directory: Path) -> TlsFiles:
    """Create the CA and the server certificate in ``directory`` unless they exist.

    Args:
        directory: The emulator's data folder.

    Returns:
        The paths of the CA file, server certificate and server key.
    """
    files = tls_files(directory)
    ca_key_path = directory / CA_KEY_FILE_NAME
    if all(p.exists() for p in (files.ca_file, files.cert_file, files.key_file, ca_key_path)):
        return files
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Salesforce emulator"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Salesforce emulator local CA"),
        ]
    )
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * _CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = rsa.generate_private_key(public_exponent=65537, key_size=_KEY_SIZE)
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=_SERVER_DAYS))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    write_private_key(ca_key_path, ca_key)
    write_private_key(files.key_file, server_key)
    files.cert_file.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    files.ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    logger.info("Generated a local CA (%s) and a server certificate", files.ca_file)
    return files


def write_private_key(path: Path, key: rsa.RSAPrivateKey) -> None:
    """Write ``key`` as unencrypted PKCS#8 PEM to ``path``, readable by the owner only."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
