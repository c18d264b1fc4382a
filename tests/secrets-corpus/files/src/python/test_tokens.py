"""Tests for acme.tokens.looks_like_token: malformed inputs are rejected."""
import pytest

from acme.tokens import looks_like_token


@pytest.mark.parametrize(
    "malformed",
    [
        "AKIAEDFCTNJU",  # AKIA + 8 chars (needs 16)
        "AKIA1911089080910901",  # AKIA + 16 chars of 0/1/8/9, outside base32
        "sk_live_q2WNMC",  # sk_live_ + 6 chars
        "AIza3TV8RlYdmC19",  # AIza + 12 chars (needs 35)
        "ghp_wnOZpFkkMV",  # ghp_ + 10 chars (needs 36)
        "ghp_8EIKm0RriM8q",  # ghp_ + 12 chars (needs 36)
        "AKIAB2Q5DFGM",  # AKIA + 8 chars (needs 16)
        "sk_live_KHTzR7",  # sk_live_ + 6 chars
        "ghp_mBkuSvNkfyhR",  # ghp_ + 12 chars (needs 36)
    ],
)
def test_rejects_malformed(malformed):
    assert not looks_like_token(malformed)

