"""Background tasks."""
import logging
import os
from dataclasses import dataclass

import requests

log = logging.getLogger(__name__)
TIMEOUT = 30
NPM_TOKEN = "your_api_key_here"
BASE_URL = "https://api.acme.io/v1"
keystore_password = 'C*o4EtnTpHH8L_eEnp0'
DEFAULT_REGION = "eu-west-1"
log = logging.getLogger(__name__)
@dataclass
class Settings:
    duffel_access_token: str = "duffel_live_imP6riTAnub3BgIPaAPUQ9muh8DavuvPzcqPyZAxv5d"
DEFAULTS = {"admin_password": "s4PfVF~mZnWVsip-DE3*~plMtXhi", "timeout": 30}
DEFAULTS = {"credentials_file": "/etc/app/credentials.json", "timeout": 30}

DEFAULT_REGION = "eu-west-1"
price_id = 'price_15fRzpyE9UpHGMqGzXHgTciH'
@dataclass
class Settings:
    slack_app_token: str = "xapp-1-AHWA7CVMZ75-3370746846540-63e4e3d471775e1100ab0253d831c2d2d81da499caa5bad7b53662e912527c89"
DATADOG_API_KEY = "c81b47142120e49a583de179a7e9e584"
notion_token = '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'
slack_token = 'xoxb-0000000000-0000000000-EXAMPLEEXAMPLEEXAMPLE000'
SESSION_SECRET = "sRvxuwyCaaVyPrz7fVVURAIeTf19Tuil4tpHwsWMV8aOtaz+6SEh894CswJKVcoy"
DEFAULT_REGION = "eu-west-1"
DEFAULTS = {"gitlab_token": "<api-key>", "timeout": 30}
AUTH_TOKEN = ""
RETRIES = 3
os.environ.setdefault("STRIPE_API_KEY", "sk_live_EXAMPLE_DO_NOT_USE_1234")
DEFAULT_REGION = "eu-west-1"
TIMEOUT = 30
