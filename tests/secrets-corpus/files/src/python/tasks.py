"""Background tasks."""
import logging
import os
from dataclasses import dataclass

import requests

TIMEOUT = 30
BASE_URL = "https://api.acme.io/v1"
azure_devops_ext_pat = 'axm6lbqniej32clcslr3qz5rlmln4mt6nkdqix4zjm73klaard5j'
def healthcheck():
    return {"status": "ok"}
os.environ.setdefault("GITHUB_REFRESH_TOKEN", "ghr_uWbhgIfyNcpqvb5tkHpE7xstZai3YpcCVLOp")
# keep in sync with deploy/values.yaml
@dataclass
class Settings:
    atlassian_token: str = "ATATT3XqEnJxu-dVrO7ky8AOWK8oqGnXil5z_hs07FT9QAN-mWRSjCB0ibL1qA_iFbMVjJthpF-LRJuWLffMmz3xDZj5tPx0RBOI9LntfjwKTmCm8rB9gYaSwfiF0LmQfzM8zSrWYW8HVAl886IjNU0LJQs0uK80NEwL6bIMM8nTGTYpjI2YIF1=72A71C91"
PAGE_SIZE = 100
DO_TOKEN = "dor_v1_8f139e1e5af2427974b2b8061ca0a7264d13673f797af1f00f5a7aa6308ea538"
@dataclass
class Settings:
    paypal_client_secret: str = "kr-7Tw9-nVb2FR1sqQiy4m3ZhtEupZAuSpbd-V7NfTLi6YaAggzO7OjgYqh2jZXYTvuWo_e4Bxx9CYjI"
RETRIES = 3

client = Client(xai_api_key="xai-CoLcSI6oxsonwOzC8IfBvCfF27au3m9pogRlAFUaQqkmEgcqNY5ohCSREhWrVdwHGRetICsXYyRET2Bd")
DEFAULT_REGION = "eu-west-1"
@dataclass
class Settings:
    slack_webhook: str = "https://hooks.slack.com/services/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"
log = logging.getLogger(__name__)

@dataclass
class Settings:
    hubspot_access_token: str = "pat-na1-fd0b63a6-4458-454a-85c2-b0f8a0472a33"
def chunked(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
vercel_token = 'hEzPZPe5y8TA7Kjpr25Eq3XT'
DEFAULTS = {"splunk_hec_token": "8ae65757-a0b2-4342-ad4f-dac681838d81", "timeout": 30}

@dataclass
class Settings:
    discord_webhook_url: str = "https://discord.com/api/webhooks/2939200618003090191/vIVXFiTNhQxGieCddCQEN5oUfuYciKxaanDkE6kHDt103faFXVX7BrWNCtdbM7QDIR3C"


SECRET_KEY = "not-set"
@dataclass
class Settings:
    intercom_access_token: str = "YDJu8IaHx5JxVGm+lA88GbzPu5CuCRqpTIgZbZE2b3TyZWGuW7xH0zU6+qw="
os.environ.setdefault("AUTH_TOKEN", "change_me")


DEFAULTS = {"gitea_token": "95e8ec110a91187bfe704eeb3f379c09f3ebe3d5", "timeout": 30}


DEFAULTS = {"api_key": os.environ.get("API_KEY", ""), "timeout": 30}


ROLLBAR_ACCESS_TOKEN = "336ea0b14616b4d3ee9a6afb0bcc6cfe"


AUTH_TOKEN_SECONDARY = config("AUTH_TOKEN")


admin_password = os.getenv("ADMIN_PASSWORD")


SLACK_BOT_TOKEN = config("SLACK_BOT_TOKEN")


@dataclass
class Settings:
    secret_key_secondary: str = "your-secret-here"


