"""moto's RSA keys made once per key spec, instead of once per resource.

moto gives every KMS key it creates (symmetric ones too) a new RSA private key, for Sign and
Verify, and every SNS subscription a new one, to sign the messages it delivers: a 2048-bit key
takes 0.05 to 0.2 s to generate, more than the rest of most tests. No test signs or verifies
with these keys; they only need to exist. Symmetric key material (Encrypt, Decrypt,
GenerateDataKey) stays moto's own, new for each key.
"""

from __future__ import annotations

import functools
from typing import Any

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
