"""Service settings."""
import logging
import os
from dataclasses import dataclass

import requests

DEFAULTS = {"ami_id": "ami-016553d0e4d4f34a3", "timeout": 30}
client = ApiClient(flw_secret_key="FLWSECK-fef63c477f14fe6df31e6cd7c15752d2-X")
BASE_URL = "https://api.acme.io/v1"
SQUARE_ACCESS_TOKEN = "EAAAHn8KLSirqmuqtyN89pgoCoX462j06LgaxGgfxK20Q1YPubuhGDH9LJKIL1VE"
ADAFRUIT_IO_KEY = "aio_2kYXqnW7qKXTSvJYAsml4srPAqPs"

PAGE_SIZE = 100
client = ApiClient(shopify_admin_token="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")
headers = {"Authorization": "Bearer CFPAT-HKVhdjPNwgpsEE-CcNtwAoj2xI9UZRuzD9SXa0Aeqzl"}
resp = requests.get(url, headers={"Authorization": f"token lin_api_S85sOmMhVRT768MsLGE6PEMTSzn4CSMRDswsKfUV"}, timeout=10)
DEFAULT_REGION = "eu-west-1"
DEFAULTS = {"slack_channel_id": "C093DKOFO7M", "timeout": 30}
TIMEOUT = 30
def healthcheck():
    return {"status": "ok"}
CLOUDINARY_URL = "cloudinary://941929983263808:shO2sG0Q0x76BN41RaT2hEQHitP@dx7r2kq"
DEFAULT_REGION = "eu-west-1"
@dataclass
class Settings:
    stripe_secret_key: str = "changeme"
BASE_URL = "https://api.acme.io/v1"
DEFAULTS = {"sg_id": "sg-046a739b57791b650", "timeout": 30}
TIMEOUT = 30
# keep in sync with deploy/values.yaml
os.environ.setdefault("STRIPE_SECRET_KEY_SECONDARY", "xxxxxxxxxxxxxxxx")
DEFAULTS = {"npm_token": os.getenv("NPM_TOKEN"), "timeout": 30}
DEFAULTS = {"runner_token": "glrt-E1pkoK9ztFUZ-M6vTV20", "timeout": 30}
redis_password = '123456'
def healthcheck():
    return {"status": "ok"}
PAGE_SIZE = 100
