#!/usr/bin/env python3
"""Generates gatehouse's secret-detection corpus: files/ and manifest.tsv.

Deterministic (one fixed seed, stdlib only): running it again rewrites the
committed files byte for byte, so the test (tests/integration/t0900-corpus.sh)
never needs python.  Run it from anywhere:

    python3 tests/secrets-corpus/generate.py

manifest.tsv has one line per placement:

    kind <TAB> path <TAB> line <TAB> provider <TAB> note

kind is `positive` (a synthetic credential in the provider's documented
format: prefix + charset + length, random bytes, never a real secret) or
`negative` (a look-alike that is not a secret: placeholders, references to
the environment, documented example keys, hashes, ids, public keys...).
path is relative to this directory (files/...), line is 1-based; for a PEM
or OpenSSH key block it is the BEGIN line.  Every positive token is unique
in the whole corpus (findings are de-duplicated per secret and path).
Lines that are in no manifest entry are filler: a finding there counts as a
false positive.
"""
import base64
import json
import math
import os
import random
import shutil
import string
import zlib

SEED = 20260900
R = random.Random(SEED)
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "files")

DIGITS = string.digits
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
LETTERS = string.ascii_letters
ALNUM = LETTERS + DIGITS
UPPER_ALNUM = UPPER + DIGITS
LOWER_ALNUM = LOWER + DIGITS
HEX = "0123456789abcdef"
UHEX = "0123456789ABCDEF"
B32 = UPPER + "234567"
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
BECH32_UP = "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"
PW_CHARS = ALNUM + "-_.~!*"     # safe inside a URL's userinfo and most configs


def rs(charset, n):
    return "".join(R.choice(charset) for _ in range(n))


def rbytes(n):
    return bytes(R.getrandbits(8) for _ in range(n))


def b64(data):
    return base64.b64encode(data).decode()


def b64url(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def digits(n):
    return str(R.randint(1, 9)) + rs(DIGITS, n - 1)


def uuid4():
    h = rs(HEX, 32)
    h = h[:12] + "4" + h[13:16] + R.choice("89ab") + h[17:]
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def entropy(s):
    counts = {}
    for ch in s:
        counts[ch] = counts.get(ch, 0) + 1
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


# Words a synthetic secret must never contain by accident: they would make a
# positive look like a placeholder to any scanner (and to a reader).
BAD_WORDS = ("example", "xxx", "dummy", "placeholder", "redact", "your", "fake",
             "sample", "change", "test", "aaaa", "0000", "****")
USED = set()


def unique(gen):
    """Calls GEN until it yields a token that is new, word-free and random-looking."""
    for _ in range(1000):
        tok = gen()
        low = tok.lower()
        if tok in USED or any(w in low for w in BAD_WORDS) or entropy(tok) < 3.2:
            continue
        USED.add(tok)
        return tok
    raise SystemExit("cannot generate a unique token")


# ---- token formats --------------------------------------------------------------
# Each generator follows the provider's documented format.  Sources: the
# providers' token-format announcements and docs (GitHub, GitLab, Slack,
# Stripe, ...), as also encoded in widely used scanners' rule sets.

def b62(n):
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = ALNUM[r] + out
    return out or "0"


def gh(prefix):
    # ghX_ + 30 random base62 + 6-char base62 CRC32 of them (36 after the prefix)
    body = rs(ALNUM, 30)
    return prefix + body + b62(zlib.crc32(body.encode())).rjust(6, "0")


def gh_fine():
    return "github_pat_" + rs(ALNUM, 22) + "_" + rs(ALNUM, 59)


def slack_bot():
    return "xoxb-%s-%s-%s" % (digits(R.choice([11, 12, 13])), digits(13), rs(ALNUM, 24))


def slack_user():
    return "xoxp-%s-%s-%s-%s" % (digits(11), digits(12), digits(13), rs(HEX, 32))


def slack_app():
    return "xapp-1-A%s-%s-%s" % (rs(UPPER_ALNUM, 10), digits(13), rs(HEX, 64))


def slack_webhook():
    return "https://hooks.slack.com/services/T%s/B%s/%s" % (
        rs(UPPER_ALNUM, R.choice([8, 10])), rs(UPPER_ALNUM, R.choice([8, 10])), rs(ALNUM, 24))


def stripe(prefix):
    if R.random() < 0.5:
        return prefix + rs(ALNUM, 24)
    return prefix + "51" + rs(ALNUM, 97)


def openai():
    r = R.random()
    if r < 0.4:
        return "sk-" + rs(ALNUM, 20) + "T3BlbkFJ" + rs(ALNUM, 20)
    kind = R.choice(["proj", "proj", "svcacct"])
    return "sk-%s-%sT3BlbkFJ%s" % (kind, rs(B64URL, 74), rs(B64URL, 74))


def pypi():
    # a macaroon: "pypi-" + base64url of a binary blob that starts with the location pypi.org
    blob = b"\x02\x01\x08pypi.org\x02" + bytes([R.randint(0x20, 0x30)]) + rbytes(R.randint(110, 150))
    return "pypi-" + "AgEIcHlwaS5vcmc" + b64url(blob[11:]).replace("=", "")


def discord_bot():
    uid = digits(R.choice([18, 19]))
    return b64(uid.encode()).rstrip("=") + "." + rs(B64URL, 6) + "." + rs(B64URL, 38)


def grafana_cloud():
    j = json.dumps({"o": digits(6), "n": "stack-%s-integration-%s" % (digits(6), rs(LOWER, 6)),
                    "k": rs(ALNUM, 24), "m": {"r": R.choice(["prod-us-east-0", "prod-eu-west-2"])}},
                   separators=(",", ":"))
    return "glc_" + b64(j.encode())


def sentry_org():
    j = json.dumps({"iat": R.randint(1690000000, 1760000000), "url": "https://sentry.io",
                    "region_url": "https://us.sentry.io", "org": R.choice(["acme", "northwind", "globex"])},
                   separators=(",", ":"))
    return "sntrys_" + b64(j.encode()).rstrip("=") + "_" + rs(B64, 43)


def mapbox_secret():
    j = json.dumps({"u": R.choice(["acme-maps", "ops-team", "geodata"]), "a": rs(LOWER_ALNUM, 25)},
                   separators=(",", ":"))
    return "sk." + b64url(j.encode()) + "." + rs(B64URL, 22)


def onepassword_sa():
    j = json.dumps({"signInAddress": "my.1password.com", "userAuth": {"method": "SRPg-4096", "alg": "PBES2g-HS256",
                    "iterations": 650000, "salt": rs(B64URL, 22)}, "email": "%s@1passwordserviceaccounts.com" % rs(LOWER_ALNUM, 13),
                    "srpX": rs(HEX, 64), "muk": {"alg": "A256GCM", "ext": True, "k": rs(B64URL, 43), "key_ops": ["encrypt", "decrypt"],
                    "kty": "oct", "kid": "mp"}, "secretKey": op_secret_key(), "throttleSecret": {"seed": rs(HEX, 64),
                    "uuid": rs(UPPER_ALNUM, 26)}, "deviceUuid": rs(LOWER_ALNUM, 26)}, separators=(",", ":"))
    return "ops_" + b64(j.encode()).rstrip("=")


def op_secret_key():
    return "A3-%s-%s-%s-%s-%s-%s" % (rs(UPPER_ALNUM, 6), rs(UPPER_ALNUM, 6), rs(UPPER_ALNUM, 5),
                                     rs(UPPER_ALNUM, 5), rs(UPPER_ALNUM, 5), rs(UPPER_ALNUM, 5))


def azure_ad_secret():
    return rs(ALNUM, 3) + R.choice(DIGITS) + "Q~" + rs(ALNUM + "_~.-", 34)


def telegram():
    return "%s:AA%s" % (digits(R.choice([9, 10])), rs(B64URL, 33))


def atlassian():
    return "ATATT3" + rs(B64URL, 177) + "=" + rs(UHEX, 8)


def password():
    """A generated password: 16-28 chars, mixed classes, URL-safe."""
    while True:
        p = rs(PW_CHARS, R.randint(16, 28))
        if any(c in DIGITS for c in p) and any(c in UPPER for c in p) and any(c in LOWER for c in p):
            return p


def jwt(alg=None):
    alg = alg or R.choice(["HS256", "RS256", "ES256"])
    header = {"alg": alg, "typ": "JWT"}
    if alg != "HS256":
        header["kid"] = rs(B64URL, 22)
    now = R.randint(1735000000, 1767000000)
    payload = R.choice([
        {"sub": uuid4(), "name": R.choice(["Ada Lovelace", "Grace Hopper", "Alan Turing"]),
         "iat": now, "exp": now + 3600},
        {"iss": "https://auth.%s.io/" % R.choice(["acme", "northwind", "globex"]), "sub": "auth0|" + rs(HEX, 24),
         "aud": ["https://api.acme.io"], "iat": now, "exp": now + 86400, "scope": "openid profile email"},
        {"iss": "kubernetes/serviceaccount", "kubernetes.io/serviceaccount/namespace": "ci",
         "kubernetes.io/serviceaccount/secret.name": "deployer-token-" + rs(LOWER_ALNUM, 5),
         "kubernetes.io/serviceaccount/service-account.name": "deployer",
         "kubernetes.io/serviceaccount/service-account.uid": uuid4(), "sub": "system:serviceaccount:ci:deployer"},
    ])
    sig = {"HS256": 32, "RS256": 256, "ES256": 64}[alg]
    return "%s.%s.%s" % (b64url(json.dumps(header, separators=(",", ":")).encode()),
                         b64url(json.dumps(payload, separators=(",", ":")).encode()), b64url(rbytes(sig)))


# provider id -> (generator, env-style key names).  Providers whose key name
# carries the signal (the value alone has no prefix) are in KEYED below.
PROVIDERS = {
    "aws-access-key-id": (lambda: R.choice(["AKIA", "AKIA", "AKIA", "ASIA"]) + rs(B32, 16),
                          ["AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "S3_ACCESS_KEY_ID"]),
    "github-pat": (lambda: gh("ghp_"), ["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_PAT", "GH_PAT"]),
    "github-oauth": (lambda: gh("gho_"), ["GITHUB_OAUTH_TOKEN", "GH_OAUTH_TOKEN"]),
    "github-app-token": (lambda: gh(R.choice(["ghs_", "ghu_"])), ["GITHUB_APP_TOKEN", "GH_INSTALLATION_TOKEN"]),
    "github-refresh-token": (lambda: gh("ghr_"), ["GITHUB_REFRESH_TOKEN"]),
    "github-fine-grained-pat": (gh_fine, ["GITHUB_TOKEN", "GH_FINE_GRAINED_TOKEN"]),
    "gitlab-pat": (lambda: "glpat-" + rs(ALNUM + "-_", 20), ["GITLAB_TOKEN", "GL_TOKEN", "CI_JOB_PAT"]),
    "gitlab-pipeline-trigger-token": (lambda: "glptt-" + rs(HEX, 40), ["GITLAB_TRIGGER_TOKEN"]),
    "gitlab-runner-token": (lambda: "glrt-" + rs(ALNUM + "-_", 20), ["RUNNER_TOKEN", "CI_SERVER_TOKEN"]),
    "gitlab-runner-registration-token": (lambda: "GR1348941" + rs(ALNUM + "-_", 20), ["REGISTRATION_TOKEN"]),
    "gitlab-deploy-token": (lambda: "gldt-" + rs(ALNUM + "-_", 20), ["GITLAB_DEPLOY_TOKEN"]),
    "slack-bot-token": (slack_bot, ["SLACK_BOT_TOKEN", "SLACK_TOKEN"]),
    "slack-user-token": (slack_user, ["SLACK_USER_TOKEN", "SLACK_API_TOKEN"]),
    "slack-app-token": (slack_app, ["SLACK_APP_TOKEN"]),
    "slack-webhook-url": (slack_webhook, ["SLACK_WEBHOOK_URL", "SLACK_WEBHOOK"]),
    "stripe-secret-key": (lambda: stripe("sk_live_"), ["STRIPE_SECRET_KEY", "STRIPE_API_KEY", "STRIPE_KEY"]),
    "stripe-restricted-key": (lambda: stripe("rk_live_"), ["STRIPE_RESTRICTED_KEY"]),
    "stripe-webhook-secret": (lambda: "whsec_" + rs(ALNUM, 32), ["STRIPE_WEBHOOK_SECRET"]),
    "google-api-key": (lambda: "AIza" + rs(B64URL, 35), ["GOOGLE_API_KEY", "GOOGLE_MAPS_API_KEY", "YOUTUBE_API_KEY"]),
    "google-oauth-client-secret": (lambda: "GOCSPX-" + rs(B64URL, 28), ["GOOGLE_CLIENT_SECRET"]),
    "twilio-api-key": (lambda: "SK" + rs(HEX, 32), ["TWILIO_API_KEY"]),
    "sendgrid-api-key": (lambda: "SG." + rs(B64URL, 22) + "." + rs(B64URL, 43), ["SENDGRID_API_KEY"]),
    "mailgun-api-key": (lambda: "key-" + rs(HEX, 32), ["MAILGUN_API_KEY"]),
    "mailchimp-api-key": (lambda: rs(HEX, 32) + "-us" + str(R.randint(1, 21)), ["MAILCHIMP_API_KEY"]),
    "npm-token": (lambda: "npm_" + rs(ALNUM, 36), ["NPM_TOKEN", "NODE_AUTH_TOKEN"]),
    "pypi-token": (pypi, ["PYPI_TOKEN", "TWINE_PASSWORD", "PYPI_API_TOKEN"]),
    "rubygems-api-key": (lambda: "rubygems_" + rs(HEX, 48), ["GEM_HOST_API_KEY", "RUBYGEMS_API_KEY"]),
    "nuget-api-key": (lambda: "oy2" + rs(LOWER_ALNUM, 43), ["NUGET_API_KEY"]),
    "shopify-access-token": (lambda: R.choice(["shpat_", "shpca_", "shppa_"]) + rs(HEX, 32),
                             ["SHOPIFY_ACCESS_TOKEN", "SHOPIFY_ADMIN_TOKEN"]),
    "shopify-shared-secret": (lambda: "shpss_" + rs(HEX, 32), ["SHOPIFY_API_SECRET"]),
    "openai-api-key": (openai, ["OPENAI_API_KEY", "OPENAI_KEY"]),
    "anthropic-api-key": (lambda: "sk-ant-api03-" + rs(B64URL, 93) + "AA", ["ANTHROPIC_API_KEY", "CLAUDE_API_KEY"]),
    "huggingface-token": (lambda: "hf_" + rs(LETTERS, 34), ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"]),
    "groq-api-key": (lambda: "gsk_" + rs(ALNUM, 52), ["GROQ_API_KEY"]),
    "replicate-api-token": (lambda: "r8_" + rs(ALNUM, 37), ["REPLICATE_API_TOKEN"]),
    "perplexity-api-key": (lambda: "pplx-" + rs(ALNUM, 48), ["PERPLEXITY_API_KEY"]),
    "digitalocean-token": (lambda: R.choice(["dop_v1_", "doo_v1_", "dor_v1_"]) + rs(HEX, 64),
                           ["DIGITALOCEAN_TOKEN", "DO_TOKEN"]),
    "heroku-api-key": (lambda: "HRKU-AA" + rs(B64URL, 58), ["HEROKU_API_KEY"]),
    "atlassian-api-token": (atlassian, ["JIRA_API_TOKEN", "CONFLUENCE_API_TOKEN", "ATLASSIAN_TOKEN"]),
    "azure-ad-client-secret": (azure_ad_secret, ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"]),
    "databricks-token": (lambda: "dapi" + rs(HEX, 32) + R.choice(["", "", "-2"]), ["DATABRICKS_TOKEN"]),
    "doppler-token": (lambda: "dp.pt." + rs(ALNUM, 43), ["DOPPLER_TOKEN"]),
    "dynatrace-token": (lambda: "dt0c01." + rs(UPPER_ALNUM, 24) + "." + rs(UPPER_ALNUM, 64), ["DT_API_TOKEN"]),
    "linear-api-key": (lambda: "lin_api_" + rs(ALNUM, 40), ["LINEAR_API_KEY"]),
    "notion-token": (lambda: "ntn_" + digits(11) + rs(ALNUM, 35), ["NOTION_TOKEN", "NOTION_API_KEY"]),
    "postman-api-key": (lambda: "PMAK-" + rs(HEX, 24) + "-" + rs(HEX, 34), ["POSTMAN_API_KEY"]),
    "pulumi-access-token": (lambda: "pul-" + rs(HEX, 40), ["PULUMI_ACCESS_TOKEN"]),
    "terraform-cloud-token": (lambda: rs(ALNUM, 14) + ".atlasv1." + rs(ALNUM + "-_", 67),
                              ["TFE_TOKEN", "TF_TOKEN_app_terraform_io"]),
    "vault-token": (lambda: R.choice(["hvs.CAESI", "hvs.CAESI", "hvb.AAAAAQ"]) + rs(B64URL, R.choice([86, 90, 140])),
                    ["VAULT_TOKEN"]),
    "grafana-cloud-token": (grafana_cloud, ["GRAFANA_CLOUD_TOKEN", "GRAFANA_CLOUD_API_KEY"]),
    "grafana-service-account-token": (lambda: "glsa_" + rs(ALNUM, 32) + "_" + rs(HEX, 8), ["GRAFANA_TOKEN"]),
    "sentry-user-token": (lambda: "sntryu_" + rs(HEX, 64), ["SENTRY_AUTH_TOKEN"]),
    "sentry-org-token": (sentry_org, ["SENTRY_AUTH_TOKEN", "SENTRY_ORG_TOKEN"]),
    "newrelic-user-api-key": (lambda: "NRAK-" + rs(UPPER_ALNUM, 27), ["NEW_RELIC_API_KEY", "NEWRELIC_API_KEY"]),
    "newrelic-insert-key": (lambda: "NRII-" + rs(B64URL, 32), ["NEW_RELIC_INSERT_KEY"]),
    "discord-bot-token": (discord_bot, ["DISCORD_BOT_TOKEN", "DISCORD_TOKEN"]),
    "discord-webhook-url": (lambda: "https://discord.com/api/webhooks/%s/%s" % (digits(19), rs(B64URL, 68)),
                            ["DISCORD_WEBHOOK_URL"]),
    "telegram-bot-token": (telegram, ["TELEGRAM_BOT_TOKEN", "TG_BOT_TOKEN"]),
    "square-access-token": (lambda: "EAAA" + rs(B64URL, 60), ["SQUARE_ACCESS_TOKEN"]),
    "square-oauth-secret": (lambda: "sq0csp-" + rs(B64URL, 43), ["SQUARE_APPLICATION_SECRET"]),
    "braintree-access-token": (lambda: "access_token$production$%s$%s" % (rs(LOWER_ALNUM, 16), rs(HEX, 32)),
                               ["BRAINTREE_ACCESS_TOKEN", "PAYPAL_ACCESS_TOKEN"]),
    "age-secret-key": (lambda: "AGE-SECRET-KEY-1" + rs(BECH32_UP, 58), ["SOPS_AGE_KEY", "AGE_SECRET_KEY"]),
    "alibaba-access-key-id": (lambda: "LTAI" + rs(ALNUM, 20), ["ALIBABA_CLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY"]),
    "contentful-token": (lambda: "CFPAT-" + rs(B64URL, 43), ["CONTENTFUL_MANAGEMENT_TOKEN"]),
    "adafruit-io-key": (lambda: "aio_" + rs(ALNUM, 28), ["ADAFRUIT_IO_KEY"]),
    "airtable-pat": (lambda: "pat" + rs(ALNUM, 14) + "." + rs(HEX, 64), ["AIRTABLE_TOKEN", "AIRTABLE_API_KEY"]),
    "clojars-token": (lambda: "CLOJARS_" + rs(LOWER_ALNUM, 60), ["CLOJARS_PASSWORD"]),
    "duffel-token": (lambda: "duffel_live_" + rs(B64URL, 43), ["DUFFEL_ACCESS_TOKEN"]),
    "easypost-api-key": (lambda: "EZAK" + rs(ALNUM, 54), ["EASYPOST_API_KEY"]),
    "flutterwave-secret-key": (lambda: "FLWSECK-" + rs(HEX, 32) + "-X", ["FLW_SECRET_KEY"]),
    "frameio-token": (lambda: "fio-u-" + rs(B64URL, 64), ["FRAMEIO_TOKEN"]),
    "planetscale-token": (lambda: R.choice(["pscale_tkn_", "pscale_pw_"]) + rs(ALNUM + "_", 43),
                          ["PLANETSCALE_SERVICE_TOKEN", "PLANETSCALE_DB_PASSWORD"]),
    "prefect-api-key": (lambda: "pnu_" + rs(ALNUM, 36), ["PREFECT_API_KEY"]),
    "readme-api-key": (lambda: "rdme_" + rs(LOWER_ALNUM, 70), ["README_API_KEY"]),
    "scalingo-token": (lambda: "tk-us-" + rs(B64URL, 48), ["SCALINGO_API_TOKEN"]),
    "shippo-token": (lambda: "shippo_live_" + rs(HEX, 40), ["SHIPPO_API_TOKEN"]),
    "typeform-token": (lambda: "tfp_" + rs(B64URL, 59), ["TYPEFORM_TOKEN"]),
    "onepassword-service-account-token": (onepassword_sa, ["OP_SERVICE_ACCOUNT_TOKEN"]),
    "onepassword-secret-key": (op_secret_key, ["OP_SECRET_KEY"]),
    "supabase-token": (lambda: "sbp_" + rs(HEX, 40), ["SUPABASE_ACCESS_TOKEN"]),
    "dockerhub-pat": (lambda: "dckr_pat_" + rs(B64URL, 27), ["DOCKERHUB_TOKEN", "DOCKER_PASSWORD"]),
    "figma-pat": (lambda: "figd_" + rs(B64URL, 40), ["FIGMA_TOKEN"]),
    "jfrog-api-key": (lambda: "AKCp" + rs(ALNUM, 69), ["ARTIFACTORY_API_KEY", "JFROG_API_KEY"]),
    "sonarqube-token": (lambda: R.choice(["squ_", "sqp_", "sqa_"]) + rs(HEX, 40), ["SONAR_TOKEN"]),
    "render-api-key": (lambda: "rnd_" + rs(ALNUM, 32), ["RENDER_API_KEY"]),
    "octopus-deploy-api-key": (lambda: "API-" + rs(UPPER_ALNUM, 26), ["OCTOPUS_API_KEY"]),
    "buildkite-token": (lambda: "bkua_" + rs(HEX, 40), ["BUILDKITE_API_TOKEN"]),
    "circleci-token": (lambda: "CCIPAT_" + rs(ALNUM, 22) + "_" + rs(HEX, 40), ["CIRCLECI_TOKEN", "CIRCLE_TOKEN"]),
    "segment-token": (lambda: "sgp_" + rs(ALNUM, 64), ["SEGMENT_PUBLIC_API_TOKEN"]),
    "openshift-token": (lambda: "sha256~" + rs(B64URL, 43), ["OPENSHIFT_TOKEN", "OC_TOKEN"]),
    "infracost-api-key": (lambda: "ico-" + rs(ALNUM, 32), ["INFRACOST_API_KEY"]),
    "cloudflare-origin-ca-key": (lambda: "v1.0-" + rs(HEX, 24) + "-" + rs(HEX, 146), ["CF_ORIGIN_CA_KEY"]),
    "mapbox-secret-token": (mapbox_secret, ["MAPBOX_SECRET_TOKEN", "MAPBOX_DOWNLOADS_TOKEN"]),
    "cloudinary-url": (lambda: "cloudinary://%s:%s@%s" % (digits(15), rs(B64URL, 27), R.choice(["acme-media", "dx7r2kq", "shop-assets"])),
                       ["CLOUDINARY_URL"]),
    "ms-teams-webhook-url": (lambda: "https://%s.webhook.office.com/webhookb2/%s@%s/IncomingWebhook/%s/%s" % (
        R.choice(["acme", "northwind", "contoso-it"]), uuid4(), uuid4(), rs(HEX, 32), uuid4()), ["TEAMS_WEBHOOK_URL"]),
    "jwt": (jwt, ["ACCESS_TOKEN", "ID_TOKEN", "SERVICE_ACCOUNT_TOKEN", "AUTH_TOKEN"]),
}

# Providers whose value has no distinctive prefix: the key name says what it is.
KEYED = {
    "aws-secret-access-key": (lambda: rs(B64, 40),
                              ["AWS_SECRET_ACCESS_KEY", "aws_secret_access_key", "AWS_SECRET_KEY"]),
    "azure-storage-account-key": (lambda: b64(rbytes(64)), ["AZURE_STORAGE_KEY", "AZURE_STORAGE_ACCOUNT_KEY"]),
    "datadog-api-key": (lambda: rs(HEX, 32), ["DD_API_KEY", "DATADOG_API_KEY"]),
    "generic-password": (password, ["DB_PASSWORD", "POSTGRES_PASSWORD", "MYSQL_ROOT_PASSWORD", "ADMIN_PASSWORD",
                                    "SMTP_PASSWORD", "REDIS_PASSWORD", "LDAP_BIND_PASSWORD", "KEYSTORE_PASSWORD"]),
    "generic-secret": (lambda: rs(ALNUM, R.choice([32, 40, 48, 64])) if R.random() < 0.6 else b64(rbytes(R.choice([32, 48]))),
                       ["SECRET_KEY", "JWT_SECRET", "SESSION_SECRET", "APP_SECRET", "CLIENT_SECRET", "API_SECRET",
                        "ENCRYPTION_KEY", "SIGNING_SECRET", "API_KEY", "AUTH_TOKEN"]),
}

ALL = dict(PROVIDERS)
ALL.update(KEYED)

# Which providers the corpus places.  Every one has a rule in rules/secrets.yml
# meant for it; a provider no rule covers is left out (see the README).
COVERED = list(ALL)


def token(provider):
    return unique(ALL[provider][0])


def key_for(provider):
    return R.choice(ALL[provider][1])


# ---- negatives: values ------------------------------------------------------------

AWS_EXAMPLE_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SLACK_DOC_WEBHOOK = "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"

SECRETISH_KEYS = ["API_KEY", "GITHUB_TOKEN", "STRIPE_SECRET_KEY", "DB_PASSWORD", "SLACK_BOT_TOKEN",
                  "AWS_SECRET_ACCESS_KEY", "OPENAI_API_KEY", "NPM_TOKEN", "SECRET_KEY", "AUTH_TOKEN",
                  "CLIENT_SECRET", "SENDGRID_API_KEY", "JWT_SECRET", "ADMIN_PASSWORD", "GITLAB_TOKEN"]


def placeholder_value():
    return R.choice([
        ("placeholder", "<your-token>"), ("placeholder", "<YOUR_API_KEY>"), ("placeholder", "<api-key>"),
        ("placeholder", "<insert token here>"), ("placeholder", "your_api_key_here"),
        ("placeholder", "your-secret-here"), ("placeholder", "changeme"), ("placeholder", "CHANGEME"),
        ("placeholder", "change_me"), ("placeholder", "xxxxxxxxxxxxxxxx"), ("placeholder", "XXXXXXXXXXXXXXXXXXXX"),
        ("placeholder", "REDACTED"), ("placeholder", "[REDACTED]"), ("placeholder", "****"),
        ("placeholder", "********"), ("placeholder", "replace-me"), ("placeholder", "TODO"),
        ("placeholder", "dummy-token"), ("placeholder", "placeholder"), ("placeholder", "not-set"),
    ])


def xprefix_value():
    return R.choice([
        ("github-pat", "ghp_" + "x" * 36), ("stripe-secret-key", "sk_live_" + "x" * 24),
        ("slack-bot-token", "xoxb-xxxxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx"),
        ("openai-api-key", "sk-" + "x" * 48), ("gitlab-pat", "glpat-" + "x" * 20),
        ("npm-token", "npm_" + "X" * 36), ("google-api-key", "AIza" + "X" * 35),
        ("anthropic-api-key", "sk-ant-api03-" + "x" * 95), ("sendgrid-api-key", "SG." + "x" * 22 + "." + "x" * 43),
        ("github-fine-grained-pat", "github_pat_" + "X" * 82),
    ])


def lowent_value():
    return R.choice(["password", "Password", "aaaaaaaa", "12345678", "123456", "secret", "admin",
                     "test", "qwerty", "letmein", "password123", "passw0rd", "abc123", "root",
                     "pass", "1111111111", "abcdefgh", "guest"])


def example_value():
    """Test values marked as examples in the value itself."""
    return R.choice([
        ("github-pat", "ghp_EXAMPLE" + "0123456789abcdefghijklmnopq"[:25]),
        ("stripe-secret-key", "sk_live_EXAMPLE_DO_NOT_USE_1234"),
        ("generic-secret", "example-secret-key-for-docs"),
        ("generic-secret", "this-is-an-example-signing-secret"),
        ("slack-bot-token", "xoxb-0000000000-0000000000-EXAMPLEEXAMPLEEXAMPLE000"),
        ("openai-api-key", "sk-example-" + "0" * 20),
        ("generic-password", "example-password"),
        ("generic-secret", "dummy-secret-for-unit-tests"),
        ("generic-secret", "placeholder-value-replace-in-prod"),
        ("npm-token", "npm_EXAMPLE00000000000000000000000000"),
    ])


def wrong_length_value():
    """A known prefix with too few characters, or a character the format never uses."""
    return R.choice([
        ("github-pat", "ghp_" + rs(ALNUM, 10), "ghp_ + 10 chars (needs 36)"),
        ("github-pat", "ghp_" + rs(ALNUM, 12), "ghp_ + 12 chars (needs 36)"),
        ("aws-access-key-id", "AKIA" + rs(B32, 8), "AKIA + 8 chars (needs 16)"),
        ("aws-access-key-id", "AKIA" + rs("0189", 16), "AKIA + 16 chars of 0/1/8/9, outside base32"),
        ("slack-bot-token", "xoxb-" + digits(5), "xoxb- + 5 digits only"),
        ("stripe-secret-key", "sk_live_" + rs(ALNUM, 6), "sk_live_ + 6 chars"),
        ("gitlab-pat", "glpat-" + rs(ALNUM, 8), "glpat- + 8 chars (needs 20)"),
        ("google-api-key", "AIza" + rs(ALNUM, 12), "AIza + 12 chars (needs 35)"),
        ("npm-token", "npm_" + rs(ALNUM, 12), "npm_ + 12 chars (needs 36)"),
        ("sendgrid-api-key", "SG." + rs(ALNUM, 10), "SG. + 10 chars, no second part"),
        ("github-pat", "ghp_" + rs(LOWER, 6) + "-" + rs(LOWER, 6) + "-" + rs(LOWER, 6), "ghp_ with dashes"),
    ])


def nonsecret_value():
    """(category, key, value): high-entropy or look-alike values under keys that are not secret."""
    return R.choice([
        ("git-commit", R.choice(["GIT_SHA", "COMMIT", "REVISION", "BUILD_COMMIT", "SOURCE_VERSION"]), rs(HEX, 40)),
        ("sha256", R.choice(["CHECKSUM", "SHA256", "ARTIFACT_DIGEST", "IMAGE_DIGEST"]), rs(HEX, 64)),
        ("sha256", R.choice(["IMAGE_DIGEST", "BASE_IMAGE_DIGEST"]), "sha256:" + rs(HEX, 64)),
        ("sha512", R.choice(["SHA512", "RELEASE_SHA512"]), rs(HEX, 128)),
        ("uuid", R.choice(["REQUEST_ID", "TENANT_ID", "SUBSCRIPTION_ID", "CLIENT_ID", "INSTANCE_ID", "TRACE_ID"]), uuid4()),
        ("version", R.choice(["APP_VERSION", "NODE_VERSION", "CHART_VERSION", "VERSION"]),
         R.choice(["1.27.3", "v2.0.0-beta.4", "20.11.1", "3.12.0", "2024.10.1", "v1.30.2+k3s1", "0.9.17-rc.2"])),
        ("css-color", R.choice(["THEME_COLOR", "PRIMARY_COLOR", "BRAND_COLOR", "ACCENT_COLOR"]),
         "#" + rs("0123456789abcdef", R.choice([3, 6]))),
        ("cloud-id", R.choice(["AMI_ID", "BASE_AMI"]), "ami-0" + rs(HEX, 16)),
        ("cloud-id", R.choice(["SECURITY_GROUP_ID", "SG_ID"]), "sg-0" + rs(HEX, 16)),
        ("cloud-id", "VPC_ID", "vpc-0" + rs(HEX, 16)),
        ("cloud-id", "ROLE_ARN", "arn:aws:iam::%s:role/%s" % (digits(12), R.choice(["deployer", "ci-readonly", "app-runtime"]))),
        ("cloud-id", "KMS_KEY_ARN", "arn:aws:kms:eu-west-1:%s:key/%s" % (digits(12), uuid4())),
        ("stripe-object-id", R.choice(["STRIPE_PRICE_ID", "PRICE_ID"]), "price_1" + rs(ALNUM, 23)),
        ("stripe-object-id", "STRIPE_PRODUCT_ID", "prod_" + rs(ALNUM, 14)),
        ("stripe-publishable-key", R.choice(["STRIPE_PUBLISHABLE_KEY", "NEXT_PUBLIC_STRIPE_KEY"]), "pk_live_" + rs(ALNUM, 24)),
        ("sentry-dsn", "SENTRY_DSN", "https://%s@o%s.ingest.sentry.io/%s" % (rs(HEX, 32), digits(6), digits(7))),
        ("analytics-id", R.choice(["GA_MEASUREMENT_ID", "GOOGLE_ANALYTICS_ID"]), "G-" + rs(UPPER_ALNUM, 10)),
        ("slack-channel-id", "SLACK_CHANNEL_ID", "C0" + rs(UPPER_ALNUM, 9)),
        ("timestamp", "BUILD_TIMESTAMP", "2026-0%d-1%dT0%d:%d%d:00Z" % (R.randint(1, 9), R.randint(0, 9), R.randint(0, 9), R.randint(0, 5), R.randint(0, 9))),
        ("url", R.choice(["API_BASE_URL", "OAUTH_TOKEN_URL", "JWKS_URL"]),
         R.choice(["https://api.acme.io/v2", "https://oauth2.googleapis.com/token", "https://login.microsoftonline.com/common/discovery/v2.0/keys",
                   "https://auth.acme.io/.well-known/jwks.json", "https://github.com/login/oauth/access_token"])),
    ])


def secretish_nonsecret():
    """(key, value): a secret-sounding key whose value is plainly configuration."""
    return R.choice([
        ("PASSWORD_MIN_LENGTH", "12"), ("TOKEN_TTL_SECONDS", "3600"), ("SECRET_NAME", "prod/db/credentials"),
        ("API_KEY_HEADER", "X-Api-Key"), ("AUTH_TOKEN_TYPE", "Bearer"), ("PASSWORD_HASHER", "argon2id"),
        ("SECRET_BACKEND", "aws-secretsmanager"), ("TOKEN_ISSUER", "https://auth.acme.io/"),
        ("API_KEY_ROTATION_DAYS", "90"), ("PASSWORD_RESET_PATH", "/account/password/reset"),
        ("SECRETS_MOUNT_PATH", "/var/run/secrets/app"), ("TOKEN_AUDIENCE", "api://orders-service"),
        ("CREDENTIALS_FILE", "/etc/app/credentials.json"), ("API_KEY_PREFIX_LENGTH", "8"),
        ("JWT_ALGORITHM", "RS256"), ("SESSION_COOKIE_NAME", "__Host-session"),
    ])


# ---- the corpus ---------------------------------------------------------------------

MANIFEST = []
FILES = {}


class F:
    """One corpus file being written: filler lines and recorded placements."""

    def __init__(self, path):
        assert path not in FILES, path
        self.path = path
        self.lines = []
        self.marks = {}

    def fill(self, *lines):
        for ln in lines:
            self.lines.extend(ln.split("\n"))

    def place(self, kind, provider, line, note, value=None):
        assert "\n" not in line, line
        n = len(self.lines) + 1
        assert n not in self.marks
        if value is not None:
            assert value in line, (value, line)
        self.marks[n] = (kind, provider, note)
        self.lines.append(line)
        return n

    def pos(self, provider, line, note, value=None):
        return self.place("positive", provider, line, note, value)

    def neg(self, provider, line, note, value=None):
        return self.place("negative", provider, line, note, value)

    def block(self, kind, provider, note, lines, at=0):
        n = len(self.lines) + 1 + at
        self.marks[n] = (kind, provider, note)
        self.lines.extend(lines)
        return n

    def save(self, trailing_newline=True):
        for n, (kind, provider, note) in sorted(self.marks.items()):
            for f in (provider, note):
                assert "\t" not in f and "\n" not in f
            MANIFEST.append((kind, "files/" + self.path, n, provider, note))
        FILES[self.path] = "\n".join(self.lines) + ("\n" if trailing_newline else "")


# A provider rotation, so every covered provider lands in many kinds of file.
class Rotation:
    def __init__(self, items):
        self.items = list(items)
        self.queue = []

    def next(self):
        if not self.queue:
            self.queue = list(self.items)
            R.shuffle(self.queue)
        return self.queue.pop()


PREFIXED = Rotation([])
KEYEDROT = Rotation([])


def next_positive():
    """(provider, key, token) for a key/value context: mostly prefixed formats, some keyed ones."""
    if R.random() < 0.2 and KEYEDROT.items:
        p = KEYEDROT.next()
    else:
        p = PREFIXED.next()
    return p, key_for(p), token(p)


# ---- key styles ---------------------------------------------------------------------

def snake(k):
    return k.lower()


def camel(k):
    parts = k.lower().split("_")
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def dotted(k):
    return k.lower().replace("_", ".")


def kebab(k):
    return k.lower().replace("_", "-")


def note_q(q):
    return {"": "unquoted", '"': "double-quoted", "'": "single-quoted", "`": "backquoted"}[q]
