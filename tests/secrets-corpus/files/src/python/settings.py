"""Service settings."""
import logging
import os
from dataclasses import dataclass

import requests


# keep in sync with deploy/values.yaml
resp = requests.get(url, headers={"Authorization": f"token ATCTT3cQJYsc4ioqvnoERVenjTE17EjKQjWu3E6GCB8FLptH9HxBC-CCYbL3DU1BPtlMgA5DBmzLzazCH0Pf5yyHW7ZUyhIXsf65OGAvCK7MA9tKoaFAKrlZVqI_S3W7GCGee3cgnyYG4nmoptf4dUZREJL8zJeyoZyEu5KfIc5crWU1Wu5qEYV=E0FB5580"}, timeout=10)
def chunked(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
client = RestClient(vpc_id="vpc-06ae9d7007924f181")
DATADOG_API_KEY = "b80ab114adc7651cb8b893fde94198eb"
RUNNER_TOKEN = "glrt-52-pDVwf6YEAXxpU_eOM"
log = logging.getLogger(__name__)
os.environ.setdefault("ANTHROPIC_API_KEY", "sk-ant-api03-usLBh9fsJMb89xewW_9TH8FYl1e3BX2hLmO6vaFabWgcBlPYgrHGIYrJzVe56X0EjC523jhMImQAKVYNKPvYcVwfEy_LhAA")
DEFAULTS = {"app_secret": "lw15embrAFNcWWu7X/kcQrs2/uD2ePjy5c08nbDysWc=", "timeout": 30}
PAGE_SIZE = 100
RETRIES = 3
@dataclass
class Settings:
    forgejo_token: str = "de56321c898a51b9fe6cf692cbb791a6d0bcc625"
AWS_ACCESS_KEY_ID = "AKIA2XWKAUIDL3T7MTTX"
BASE_URL = "https://api.acme.io/v1"
zapier_hook_url = 'https://hooks.zapier.com/hooks/catch/9376737/vklew0v/'
TIMEOUT = 30
resp = requests.get(url, headers={"Authorization": f"token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}, timeout=10)
DEFAULT_REGION = "eu-west-1"
resp = requests.get(url, headers={"Authorization": f"token ghp_xfwzbGK9dJmzRBTyUTW0lEAEmbnq0UeMpUpv"}, timeout=10)

DEFAULTS = {"sendinblue_api_key": "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", "timeout": 30}
NPM_TOKEN = "********"
resp = requests.get(url, headers={"Authorization": f"token sq0csp-St3t9pgl955S0h_deimfVGxlbGNWAyEnewPTr_ir7T7"}, timeout=10)
headers = {"Authorization": "Bearer placeholder"}
def healthcheck():
    return {"status": "ok"}

client = HttpClient(auth_token=os.getenv("AUTH_TOKEN"))
client = ApiClient(sonar_token="sqa_8677384ace20b20153bb74610d08169685f14a58")
INFISICAL_TOKEN = "st.d066779bc27f86279f11299f.1b0bd08fd2644bdc312c3573497798a3.7aa201283d2b4e11b56aa7ed22cad2e1"

os.environ.setdefault("HEROKU_API_KEY", "f5bc5a18-2c3f-4b3b-96d1-22804d67d5ac")


resp = requests.get(url, headers={"Authorization": f"token r8_CiHes1eDfFasgSWr1i0ZVLe1SUoBR3sL9gHiG"}, timeout=10)

GITHUB_TOKEN_SECONDARY = os.getenv("GITHUB_TOKEN")


DEFAULTS = {"db_password": os.environ["DB_PASSWORD"], "timeout": 30}
client = RestClient(nuget_api_key="oy2oad10uzjdfakzzoo402b7s4n8ns9cucw8evw8b4ryur")

