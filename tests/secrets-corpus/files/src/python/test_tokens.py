"""Tests for acme.tokens.looks_like_token: malformed inputs are rejected."""
import pytest

from acme.tokens import looks_like_token


@pytest.mark.parametrize(
    "malformed",
    [
        "SG.5j7saFufbb",  # SG. + 10 chars, no second part
        "AIzaXhNNRuVhuVI0",  # AIza + 12 chars (needs 35)
        "xoxb-91917",  # xoxb- + 5 digits only
        "glpat-y4MO3Yzv",  # glpat- + 8 chars (needs 20)
        "AIzah9n183nIVeQg",  # AIza + 12 chars (needs 35)
        "ghp_iyjmnc-uxywfs-qmmxho",  # ghp_ with dashes
        "ghp_iyFSPWCiEZsh",  # ghp_ + 12 chars (needs 36)
        "ghp_DCMHFgQHeJcm",  # ghp_ + 12 chars (needs 36)
        "AKIA8999009999018810",  # AKIA + 16 chars of 0/1/8/9, outside base32
    ],
)
def test_rejects_malformed(malformed):
    assert not looks_like_token(malformed)

