"""Work moto repeats on every resource or request that the tests need done once.

- RSA keys: moto gives every KMS key it creates (symmetric ones too) a new RSA private key, for
  Sign and Verify, and every SNS subscription a new one, to sign the messages it delivers. A
  2048-bit key takes 0.05 to 0.2 s to generate, more than the rest of most tests. No test signs
  or verifies with these keys; they only need to exist. Symmetric key material (Encrypt,
  Decrypt, GenerateDataKey) stays moto's own, new for each key.
- The moto server (the audit tests', tests/audit_harness.py) lists its own package directory on
  every request to tell a service by the host name, and makes a new botocore loader, which
  parses the service models again, for every account's backend: the same files every time.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import botocore.session
import moto.backends
import moto.kms.models
import moto.sns.models
from cryptography.hazmat.primitives.asymmetric import rsa

# The size moto's SNS signs with (moto/sns/models.py, Subscription.private_key).
SNS_SIGNING_KEY_BITS = 2048


@functools.cache
def _sns_signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=SNS_SIGNING_KEY_BITS)


def _subscription_signing_key(subscription: Any) -> rsa.RSAPrivateKey:
    return _sns_signing_key()


def share_rsa_keys(setattr_: Any = setattr) -> None:
    """Make moto reuse one private key per KMS key spec and one for SNS signatures.

    `setattr_` is `setattr`, or a `MonkeyPatch.setattr` that puts moto's own back.
    """
    generate = moto.kms.models.generate_private_key
    setattr_(moto.kms.models, "generate_private_key", functools.cache(generate))
    setattr_(moto.sns.models.Subscription, "private_key", _subscription_signing_key)


def tune_server() -> None:
    """All of the above, in the moto server's own process (for its whole life)."""
    share_rsa_keys()
    modules = tuple(moto.backends.list_of_moto_modules())

    def list_of_moto_modules() -> Iterator[str]:
        return iter(modules)

    moto.backends.list_of_moto_modules = list_of_moto_modules
    botocore.session.create_loader = functools.cache(botocore.session.create_loader)
