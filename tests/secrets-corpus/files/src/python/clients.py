"""API clients."""
import logging
import os
from dataclasses import dataclass

import requests

DEFAULT_REGION = "eu-west-1"
log = logging.getLogger(__name__)
os.environ.setdefault("DT_API_TOKEN", "dt0c01.BIQKY5OESCKF3TXPNMRLX6DN.0BC6DAINF6TH50QWFFBM0PLZ4BD27V1NJXM0KUPXOXUK8PSCM5I9HYRA2IF852FQ")
DEFAULTS = {"ga_measurement_id": "G-RU962TFZT8", "timeout": 30}
BASE_URL = "https://api.acme.io/v1"
# keep in sync with deploy/values.yaml
client = Client(jfrog_api_key="AKCpBJUD1UXLGVGKtxjrpyZxAcErE78VG2F9Vlcz9mthNJ4aU7LQFRQE0cmll9qUQyOS5UZzO")
RETRIES = 3
TIMEOUT = 30
client = Client(sendgrid_api_key="********")
log = logging.getLogger(__name__)
DEFAULTS = {"aws_secret_access_key": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "timeout": 30}
def chunked(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
RETRIES = 3
DEFAULTS = {"aws_secret_access_key_secondary": "pfG2DM7llvW+bp7pqAUku9zDn8EsT4o/9rMNaTyP", "timeout": 30}
def chunked(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
BASE_URL = "https://api.acme.io/v1"
client = RestClient(sendgrid_api_key_secondary="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")
log = logging.getLogger(__name__)
RETRIES = 3
headers = {"Authorization": "Bearer hvs.CAESI832tM6ZVEG_KkLm-Ugy6jXpxYCwy5TvGn8lAHWficuM7GrOV5XjFQA-3z6-iRd0qenZdfdMO8kR9dNPF6ooIlu"}
PAGE_SIZE = 100
PAGE_SIZE = 100
DEFAULTS = {"google_maps_api_key": "AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "timeout": 30}
def chunked(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
resp = requests.get(url, headers={"Authorization": f"token glc_eyJvIjoiMTcwMjQ4IiwibiI6InN0YWNrLTg5NTE1Mi1pbnRlZ3JhdGlvbi1leHp6anUiLCJrIjoiSlYzTGhia3Rmc1FDSHUyZmNINXp5N2tXIiwibSI6eyJyIjoicHJvZC1ldS13ZXN0LTIifX0="}, timeout=10)
DEFAULT_REGION = "eu-west-1"
@dataclass
class Settings:
    auth_token: str = "[REDACTED]"
TIMEOUT = 30
log = logging.getLogger(__name__)
@dataclass
class Settings:
    price_id: str = "price_1E8vUcydV8OS97F4FsZ4iDod"
client = ApiClient(admin_password=config("ADMIN_PASSWORD"))
def chunked(items, size):
    for i in range(0, len(items), size):
        yield items[i:i + size]
SESSION_SECRET = "UxIVCqK5AX7YoQp62gWllJ3jYCQ5gw/6UF2nfviex5orkv83qFV/51UEq+G28/N3"
client = HttpClient(azure_storage_account_key="qB0nU084DI2gm7YMbvyhGhSCI75o89pTpD3n+73MDT/uCgo4h3E6anqsYlDZvSBf0lO5NQUQ3Q70Gug6iPKU9A==")
RETRIES = 3
RETRIES = 3
