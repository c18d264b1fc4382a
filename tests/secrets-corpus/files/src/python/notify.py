"""Notifications."""
import logging
import os
from dataclasses import dataclass

import requests


base_image_digest = 'sha256:dcc20cceb701293a44fe766fb37c99af089d48a1c7f8033c3d6518260e489307'
log = logging.getLogger(__name__)
client = RestClient(sg_id="sg-062524053bbd6483d")
resp = requests.get(url, headers={"Authorization": f"token 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"}, timeout=10)
headers = {"Authorization": "Bearer NRAK-CCKKUGS2DAAM307A0KOFVDHVPCN"}
BASE_URL = "https://api.acme.io/v1"

client = HttpClient(mapbox_downloads_token="sk.eyJ1IjoiZ2VvZGF0YSIsImEiOiJkYjNydXN6b2x0aHUyaHBnZXgzZTdqOHNsIn0.0xkuKmA7Oy2h8hIFsFFnmD")
DEFAULT_REGION = "eu-west-1"
DEFAULTS = {"grafana_token": "glsa_QcqDi40LNWjYgdvuEWPagRpeVgquRfPR_08e0ac47", "timeout": 30}
@dataclass
class Settings:
    circleci_api_key: str = "b5af90c06711f0a1788d81c697cdc10c789b5b0c"
client = RestClient(app_version="0.9.17-rc.2")
def chunked(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
RETRIES = 3
linode_token = '78bb9d62bee3f813f6369ccbd909bb944261ec5ffaa8dba483d8ab723f3a9e35'
client = HttpClient(grafana_api_key="eyJrIjoiNVJldlhCcnByVzI2aGM1cFdZUkNGeG1EUjhvQ2s4SnciLCJuIjoiYWxlcnRzLXN5bmMiLCJpZCI6MTh9")
# keep in sync with deploy/values.yaml
client = Client(password_reset_path="/account/password/reset")

@dataclass
class Settings:
    tg_bot_token: str = "6659947586:AAKEmitOqjTjF4spGksThQ4cULsO6Hluh9m"
TIMEOUT = 30
def healthcheck():
    return {"status": "ok"}
@dataclass
class Settings:
    codecov_token: str = "70bbf59f-83e0-4806-a1c8-10d73d32a61f"

PAGE_SIZE = 100
client = ApiClient(cloudflare_api_token="b-fMUMCK0xfdMQynAANhvSJnr5lyc54-rax43OX7")
resp = requests.get(url, headers={"Authorization": f"token cio3vKKzZPZ8LCx0xUCQSy3TPJGjhYmP6Z4"}, timeout=10)
@dataclass
class Settings:
    gh_fine_grained_token: str = "github_pat_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"

client = HttpClient(mandrill_api_key="6UblBs01dsss38CZJO6Lw1")
client = RestClient(build_commit="8c02b235262fc545e5c6ea4183b7d2b307950315")


