"""API clients."""
import logging
import os
from dataclasses import dataclass

import requests

PAGE_SIZE = 100
DEFAULTS = {"hf_token": "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", "timeout": 30}
log = logging.getLogger(__name__)
DEFAULT_REGION = "eu-west-1"
adyen_api_key = 'AQExhZF1un+nigZWrXNifLSn6GvRr2XoRP0ED+BSI6h4G50CZRunBivJfyoBoCLJ+ehkBumsRJSw5HvGM6MFIwkv6jPzTjxUWrsO+hV068S0EIXha5Gj=-MzgD5uAgD3Dn3jdLAfNAVU9WII27v6w8aoP2czZ1d2J='

auth_token = '****'
def healthcheck():
    return {"status": "ok"}
commit = 'b99ee8ce7fcdfae112dce4a90718c028c25a6b1d'
TIMEOUT = 30
RETRIES = 3
os.environ.setdefault("PASSWORD_HASHER", "argon2id")
BASE_URL = "https://api.acme.io/v1"
def chunked(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
sentry_auth_token = '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'

DEFAULTS = {"dt_api_token": "dt0c01.91P0IHQIZ1CWGGLVOWOA7WK0.9Y5M7SA2T1MOLQFW3FKMYBORFZBWDP2DT5S8N50ZH0O1DOG4F2FCN523IPUBAT54", "timeout": 30}
# keep in sync with deploy/values.yaml

resp = requests.get(url, headers={"Authorization": f"token xoxs-60230349566-398785411065-650884294275-fac514c850879ce60bd7f930f2fd4044"}, timeout=10)

SLACK_CONFIG_TOKEN = "xoxe-1-tBGsE8LbbqvI99Xk3CSRqj7z5FOMAXl6jU3ijlAO3fyEvP7c1A2WT16ojAKckk0NOn9j3g52riIfsUhbKiWBobg6UQhbs6QpBGKZ7V6ghZNqZyJjRdG1AhEcSLb3QTLEg9WP66rHok5wgXqjZ6"

airtable_api_key = 'patGQRTVpC1ygoXfb.a494b3df80f439a0f33bc70ccede1469946c5324258a9461da42a91b0dea5a24'

os.environ.setdefault("RENDER_API_KEY", "rnd_etB9F33CQ5U3c8ZX1vTRcfi0EdKWtn8c")
OCTOPUS_API_KEY = "API-S5HYTJJLLD0D86S4N6SU4ZFSID"

DEFAULTS = {"api_key_prefix_length": "8", "timeout": 30}

STRIPE_RESTRICTED_KEY = "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"


client = Client(next_public_clerk_publishable_key="pk_live_Y2xlcmsuYWNtZS5pbyQ")


headers = {"Authorization": "Bearer glptt-b6479aa61c2c9a9f36ec4af85b54d3ae82a6dfaf"}
OPENAI_API_KEY = "[REDACTED]"
DUFFEL_ACCESS_TOKEN = "duffel_live_7TfkJWemVtabnKiGhBg72gowQDPoA8OX8ueTM9ejBTx"

DB_PASSWORD = "secret"


os.environ.setdefault("SOPS_AGE_KEY", "AGE-SECRET-KEY-1X3ZZGZYVYUFHSV8S3HPU8JZEM679J82NXLVN4EDZD6JTEXJ3L3PRQNSQTP")


os.environ.setdefault("IC_API_KEY", "1l8yMun06jsz82bgFQnL96kDLTglW1lqT60Xa742A-d5")
client = RestClient(neon_api_key="napi_p3n5gcef8vfnyvfieto086u00efmxwlqf49m1up84m0px11ncqhuax4tpxieq1jy")

os.environ.setdefault("AWS_ACCESS_KEY_ID", "AKIAUR5O5TZOFLJOIECW")

