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
import struct
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
             "sample", "change", "test", "aaaa", "0000", "****", "{{", "${")
USED = set()


def unique(gen):
    """Calls GEN until it yields a token that is new, word-free and random-looking."""
    for _ in range(1000):
        tok = gen()
        low = tok.lower()
        # structural parts of a format are not accidents
        low = low.replace("sk_test_", "").replace("rk_test_", "")
        if tok.startswith("AAAA"):
            low = low.lstrip("a")
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
    "vault-token": (lambda: "hvs.CAESI" + rs(B64URL, R.choice([86, 90])) if R.random() < 0.7
                    else "hvb.AAAAAQ" + rs(B64URL, R.choice([132, 150])), ["VAULT_TOKEN"]),
    "grafana-cloud-token": (grafana_cloud, ["GRAFANA_CLOUD_TOKEN", "GRAFANA_CLOUD_API_KEY"]),
    "grafana-service-account-token": (lambda: "glsa_" + rs(ALNUM, 32) + "_" + rs(HEX, 8), ["GRAFANA_TOKEN"]),
    "sentry-user-token": (lambda: "sntryu_" + rs(HEX, 64), ["SENTRY_AUTH_TOKEN"]),
    "sentry-org-token": (sentry_org, ["SENTRY_AUTH_TOKEN", "SENTRY_ORG_TOKEN"]),
    "newrelic-user-api-key": (lambda: "NRAK-" + rs(UPPER_ALNUM, 27), ["NEW_RELIC_API_KEY", "NEWRELIC_API_KEY"]),
    "newrelic-insert-key": (lambda: "NRII-" + rs(ALNUM + "-", 32), ["NEW_RELIC_INSERT_KEY"]),
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

def slack_config():
    if R.random() < 0.5:
        return "xoxe.xox%s-1-%s" % (R.choice("bp"), rs(ALNUM, R.randint(163, 166)))
    return "xoxe-1-" + rs(ALNUM, 146)


def grafana_legacy():
    j = json.dumps({"k": rs(ALNUM, 32), "n": R.choice(["ci-deployer", "alerts-sync", "dashboard-export"]), "id": R.randint(1, 40)},
                   separators=(",", ":"))
    return b64(j.encode()).rstrip("=")


def twitter_bearer():
    return "A" * R.choice([21, 22]) + rs(ALNUM, 24) + "%2F" + rs(ALNUM, 30) + "%3D" + rs(ALNUM, 40)


def teamcity():
    return "eyJ0eXAiOiAiVENWMiJ9." + rs(B64URL, 36) + "." + rs(B64URL, 48)


def kubeconfig_key():
    return b64(("\n".join(private_key_pem("EC")) + "\n").encode())


PROVIDERS.update({
    "gitlab-cicd-job-token": (lambda: "glcbt-" + rs(HEX, R.randint(1, 2)) + "_" + rs(ALNUM + "-_", 20), ["CI_JOB_TOKEN_OVERRIDE", "GITLAB_JOB_TOKEN"]),
    "gitlab-feed-token": (lambda: "glft-" + rs(ALNUM + "-_", 20), ["GITLAB_FEED_TOKEN"]),
    "gitlab-other-token": (lambda: R.choice([lambda: "gloas-" + rs(ALNUM + "-_", 64), lambda: "glimt-" + rs(ALNUM, 25),
                                            lambda: "glagent-" + rs(ALNUM + "-_", 50), lambda: "glsoat-" + rs(ALNUM, 20),
                                            lambda: "glffct-" + rs(ALNUM, 20)])(),
                           ["GITLAB_OAUTH_SECRET", "GITLAB_AGENT_TOKEN", "UNLEASH_INSTANCE_TOKEN"]),
    "bitbucket-app-password": (lambda: "ATBB" + rs(ALNUM, 28) + rs(UHEX, 8), ["BITBUCKET_APP_PASSWORD"]),
    "bitbucket-access-token": (lambda: "ATCTT3" + rs(B64URL, 177) + "=" + rs(UHEX, 8), ["BITBUCKET_ACCESS_TOKEN"]),
    "sourcegraph-token": (lambda: "sgp_" + (rs(HEX, 16) + "_" if R.random() < 0.6 else "local_") + rs(HEX, 40), ["SRC_ACCESS_TOKEN"]),
    "teamcity-token": (teamcity, ["TEAMCITY_TOKEN"]),
    "harness-pat": (lambda: R.choice(["pat", "sat"]) + "." + rs(B64URL, 22) + "." + rs(ALNUM, 24) + "." + rs(ALNUM, 20),
                    ["HARNESS_PLATFORM_API_KEY"]),
    "crates-io-token": (lambda: "cio" + rs(ALNUM, 32), ["CARGO_REGISTRY_TOKEN"]),
    "jfrog-identity-token": (lambda: "cmVmdGtuOjAxOj" + rs(ALNUM, R.randint(50, 58)), ["JFROG_ACCESS_TOKEN", "ARTIFACTORY_ACCESS_TOKEN"]),
    "anthropic-admin-key": (lambda: "sk-ant-admin01-" + rs(B64URL, 93) + "AA", ["ANTHROPIC_ADMIN_KEY"]),
    "xai-api-key": (lambda: "xai-" + rs(ALNUM, 80), ["XAI_API_KEY"]),
    "openrouter-api-key": (lambda: "sk-or-v1-" + rs(HEX, 64), ["OPENROUTER_API_KEY"]),
    "langsmith-api-key": (lambda: "lsv2_%s_%s_%s" % (R.choice(["pt", "sk"]), rs(HEX, 32), rs(HEX, 10)), ["LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"]),
    "slack-config-token": (slack_config, ["SLACK_CONFIG_TOKEN", "SLACK_REFRESH_TOKEN"]),
    "slack-legacy-token": (lambda: "xox%s-%s-%s-%s-%s" % (R.choice("ors"), digits(11), digits(12), digits(12), rs(HEX, 32)), ["SLACK_LEGACY_TOKEN"]),
    "facebook-access-token": (lambda: "EAA" + R.choice("BGIJ") + rs(ALNUM, R.randint(150, 220)), ["FACEBOOK_ACCESS_TOKEN", "META_PAGE_TOKEN"]),
    "twitter-bearer-token": (twitter_bearer, ["TWITTER_BEARER_TOKEN", "X_BEARER_TOKEN"]),
    "zapier-webhook-url": (lambda: "https://hooks.zapier.com/hooks/catch/%s/%s/" % (digits(R.choice([7, 8])), rs(LOWER_ALNUM, 7)), ["ZAPIER_HOOK_URL"]),
    "stripe-test-key": (lambda: stripe(R.choice(["sk_test_", "sk_test_", "rk_test_"])), ["STRIPE_TEST_SECRET_KEY"]),
    "adyen-api-key": (lambda: "AQE" + rs(ALNUM, 3) + rs(B64, 110) + "=-" + rs(B64, 43) + "=", ["ADYEN_API_KEY"]),
    "plaid-access-token": (lambda: "access-production-" + uuid4(), ["PLAID_ACCESS_TOKEN"]),
    "lob-api-key": (lambda: "live_" + rs(HEX, 35), ["LOB_API_KEY"]),
    "brevo-api-key": (lambda: R.choice(["xkeysib-", "xsmtpsib-"]) + rs(HEX, 64) + "-" + rs(ALNUM, 16), ["BREVO_API_KEY", "SENDINBLUE_API_KEY"]),
    "resend-api-key": (lambda: "re_" + rs(ALNUM, 8) + "_" + rs(ALNUM, 24), ["RESEND_API_KEY"]),
    "mailersend-api-token": (lambda: "mlsn." + rs(HEX, 64), ["MAILERSEND_API_TOKEN"]),
    "gcp-oauth-access-token": (lambda: "ya29.a0" + rs(B64URL, R.randint(150, 200)), ["GOOGLE_ACCESS_TOKEN"]),
    "gcp-oauth-refresh-token": (lambda: "1//0" + R.choice("349cdg") + rs(B64URL, 98), ["GOOGLE_REFRESH_TOKEN"]),
    "tencent-cloud-secret-id": (lambda: "AKID" + rs(ALNUM, 32), ["TENCENTCLOUD_SECRET_ID"]),
    "flyio-token": (lambda: "fo1_" + rs(B64URL, 43) if R.random() < 0.5 else "FlyV1 fm2_" + b64(rbytes(R.randint(150, 300))),
                    ["FLY_API_TOKEN"]),
    "yandex-api-key": (lambda: "AQVN" + rs(B64URL, 36), ["YC_API_KEY"]),
    "neon-api-key": (lambda: "napi_" + rs(LOWER_ALNUM, 64), ["NEON_API_KEY"]),
    "firebase-cloud-messaging-key": (lambda: "AAAA" + rs(B64URL, 7) + ":APA91b" + rs(B64URL, 134), ["FCM_SERVER_KEY"]),
    "aiven-service-password": (lambda: "AVNS_" + rs(ALNUM + "_-", 21), ["AIVEN_DB_PASSWORD"]),
    "newrelic-license-key": (lambda: rs(HEX, 36) + "NRAL", ["NEW_RELIC_LICENSE_KEY"]),
    "sentry-dsn-secret": (lambda: "https://%s:%s@o%s.ingest.sentry.io/%s" % (rs(HEX, 32), rs(HEX, 32), digits(6), digits(7)), ["SENTRY_DSN"]),
    "grafana-api-key": (grafana_legacy, ["GRAFANA_API_KEY"]),
    "honeycomb-ingest-key": (lambda: "hc" + R.choice(["aik", "aic", "xik"]) + "_" + rs(LOWER_ALNUM, 58), ["HONEYCOMB_INGEST_KEY"]),
    "infisical-token": (lambda: "st.%s.%s.%s" % (rs(HEX, 24), rs(HEX, 32), rs(HEX, 32)), ["INFISICAL_TOKEN"]),
    "tailscale-key": (lambda: "tskey-%s-k%sCNTRL-%s" % (R.choice(["auth", "api", "client"]), rs(ALNUM, 10), rs(ALNUM, 33)), ["TS_AUTHKEY", "TAILSCALE_API_KEY"]),
    "dropbox-token": (lambda: "sl.B" + rs(B64URL, R.randint(135, 160)), ["DROPBOX_ACCESS_TOKEN"]),
    "hubspot-pat": (lambda: "pat-%s1-%s" % (R.choice(["na", "eu"]), uuid4()), ["HUBSPOT_ACCESS_TOKEN"]),
    "launchdarkly-key": (lambda: R.choice(["sdk-", "api-"]) + uuid4(), ["LAUNCHDARKLY_SDK_KEY", "LD_API_KEY"]),
    "clickup-api-key": (lambda: "pk_%s_%s" % (digits(8), rs(UPPER_ALNUM, 32)), ["CLICKUP_API_TOKEN"]),
})
PROVIDERS["doppler-token"] = (lambda: R.choice(["dp.pt.", "dp.pt.", "dp.st.prd.", "dp.sa."]) + rs(ALNUM, R.choice([40, 43, 44])),
                              ["DOPPLER_TOKEN"])

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
                        "ENCRYPTION_KEY", "SIGNING_SECRET", "PRIVATE_KEY_PASSPHRASE_SECRET"]),
}

KEYED.update({
    "gitea-token": (lambda: rs(HEX, 40), ["GITEA_TOKEN", "FORGEJO_TOKEN"]),
    "circleci-token-legacy": (lambda: rs(HEX, 40), ["CIRCLE_TOKEN", "CIRCLECI_API_KEY"]),
    "travis-ci-token": (lambda: rs(B64URL, 22), ["TRAVIS_API_TOKEN", "TRAVIS_TOKEN"]),
    "drone-token": (lambda: rs(ALNUM, 32), ["DRONE_TOKEN"]),
    "codecov-token": (uuid4, ["CODECOV_TOKEN"]),
    "jenkins-api-token": (lambda: "11" + rs(HEX, 32), ["JENKINS_API_TOKEN", "JENKINS_TOKEN"]),
    "snyk-token": (uuid4, ["SNYK_TOKEN"]),
    "cohere-api-key": (lambda: rs(ALNUM, 40), ["COHERE_API_KEY"]),
    "mistral-api-key": (lambda: rs(ALNUM, 32), ["MISTRAL_API_KEY"]),
    "wandb-api-key": (lambda: rs(HEX, 40), ["WANDB_API_KEY"]),
    "mattermost-token": (lambda: rs(LOWER_ALNUM, 26), ["MATTERMOST_TOKEN", "MATTERMOST_BOT_TOKEN"]),
    "twilio-auth-token": (lambda: rs(HEX, 32), ["TWILIO_AUTH_TOKEN"]),
    "zoom-client-secret": (lambda: rs(ALNUM, 32), ["ZOOM_CLIENT_SECRET"]),
    "facebook-app-secret": (lambda: rs(HEX, 32), ["FACEBOOK_APP_SECRET", "FB_APP_SECRET"]),
    "twitter-api-secret": (lambda: rs(ALNUM, R.choice([45, 50])), ["TWITTER_API_SECRET", "TWITTER_ACCESS_TOKEN_SECRET"]),
    "vonage-api-secret": (lambda: rs(ALNUM, 16), ["VONAGE_API_SECRET", "NEXMO_API_SECRET"]),
    "pusher-secret": (lambda: rs(HEX, 20), ["PUSHER_APP_SECRET"]),
    "ably-api-key": (lambda: "%s.%s:%s" % (rs(ALNUM, 6), rs(ALNUM, 6), rs(B64URL, 43)), ["ABLY_API_KEY"]),
    "razorpay-secret": (lambda: rs(ALNUM, 24), ["RAZORPAY_KEY_SECRET"]),
    "coinbase-api-secret": (lambda: rs(ALNUM, 32), ["COINBASE_API_SECRET"]),
    "plaid-secret": (lambda: rs(HEX, 30), ["PLAID_SECRET"]),
    "gocardless-token": (lambda: "live_" + rs(B64URL, 40), ["GOCARDLESS_ACCESS_TOKEN"]),
    "paypal-client-secret": (lambda: rs(B64URL, 80), ["PAYPAL_CLIENT_SECRET"]),
    "mailgun-private-key": (lambda: "%s-%s-%s" % (rs(HEX, 32), rs(HEX, 8), rs(HEX, 8)), ["MAILGUN_PRIVATE_KEY", "MAILGUN_API_KEY"]),
    "postmark-token": (uuid4, ["POSTMARK_SERVER_TOKEN", "POSTMARK_API_TOKEN"]),
    "sparkpost-api-key": (lambda: rs(HEX, 40), ["SPARKPOST_API_KEY"]),
    "mailjet-api-key": (lambda: rs(HEX, 32), ["MAILJET_API_SECRET", "MJ_APIKEY_PRIVATE"]),
    "mandrill-api-key": (lambda: rs(B64URL, 22), ["MANDRILL_API_KEY"]),
    "azure-devops-pat": (lambda: rs(LOWER + "234567", 52), ["AZURE_DEVOPS_PAT", "AZURE_DEVOPS_EXT_PAT"]),
    "alibaba-access-key-secret": (lambda: rs(ALNUM, 30), ["ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALICLOUD_SECRET_KEY"]),
    "heroku-api-key-legacy": (uuid4, ["HEROKU_API_KEY"]),
    "scaleway-secret-key": (uuid4, ["SCW_SECRET_KEY"]),
    "linode-token": (lambda: rs(HEX, 64), ["LINODE_TOKEN"]),
    "vultr-api-key": (lambda: rs(UPPER_ALNUM, 36), ["VULTR_API_KEY"]),
    "hetzner-api-token": (lambda: rs(ALNUM, 64), ["HCLOUD_TOKEN", "HETZNER_API_TOKEN"]),
    "cloudflare-api-token": (lambda: rs(B64URL, 40), ["CLOUDFLARE_API_TOKEN", "CF_API_TOKEN"]),
    "cloudflare-global-api-key": (lambda: rs(HEX, 37), ["CLOUDFLARE_API_KEY", "CF_API_KEY"]),
    "fastly-api-token": (lambda: rs(B64URL, 32), ["FASTLY_API_TOKEN"]),
    "netlify-token": (lambda: "nfp_" + rs(ALNUM, 40), ["NETLIFY_AUTH_TOKEN"]),
    "vercel-token": (lambda: rs(ALNUM, 24), ["VERCEL_TOKEN"]),
    "ibm-cloud-api-key": (lambda: rs(B64URL, 44), ["IBMCLOUD_API_KEY", "IC_API_KEY"]),
    "datadog-app-key": (lambda: rs(HEX, 40), ["DD_APP_KEY", "DATADOG_APP_KEY"]),
    "honeycomb-api-key": (lambda: rs(HEX, 32) if R.random() < 0.5 else rs(ALNUM, 22), ["HONEYCOMB_API_KEY", "HONEYCOMB_WRITEKEY"]),
    "pagerduty-api-key": (lambda: rs(B64URL, 20) if R.random() < 0.5 else rs(HEX, 32), ["PAGERDUTY_TOKEN", "PAGERDUTY_INTEGRATION_KEY"]),
    "splunk-hec-token": (uuid4, ["SPLUNK_HEC_TOKEN"]),
    "rollbar-access-token": (lambda: rs(HEX, 32), ["ROLLBAR_ACCESS_TOKEN"]),
    "bugsnag-api-key": (lambda: rs(HEX, 32), ["BUGSNAG_API_KEY"]),
    "opsgenie-api-key": (uuid4, ["OPSGENIE_API_KEY"]),
    "vault-token-legacy": (lambda: "s." + rs(ALNUM, 24), ["VAULT_TOKEN"]),
    "ngrok-authtoken": (lambda: R.choice("123456789") + rs(ALNUM, 26) + "_" + rs(ALNUM, 20), ["NGROK_AUTHTOKEN"]),
    "asana-token": (lambda: "2/%s/%s:%s" % (digits(16), digits(16), rs(HEX, 32)), ["ASANA_ACCESS_TOKEN", "ASANA_PAT"]),
    "okta-api-token": (lambda: "00" + rs(B64URL, 40), ["OKTA_API_TOKEN"]),
    "algolia-admin-key": (lambda: rs(HEX, 32), ["ALGOLIA_ADMIN_API_KEY", "ALGOLIA_WRITE_API_KEY"]),
    "intercom-access-token": (lambda: b64(rbytes(44)), ["INTERCOM_ACCESS_TOKEN"]),
    "zendesk-api-token": (lambda: rs(ALNUM, 40), ["ZENDESK_API_TOKEN"]),
    "beamer-api-key": (lambda: "b_" + rs(B64URL, 44), ["BEAMER_API_KEY"]),
    "generic-api-key": (lambda: rs(ALNUM, R.choice([32, 40, 48])), ["API_KEY", "ACCESS_TOKEN", "AUTH_TOKEN", "PARTNER_API_KEY", "INTERNAL_API_KEY"]),
})

ALL = dict(PROVIDERS)
ALL.update(KEYED)

# Which providers the corpus places: one per rule in rules/secrets.yml, named
# by the rule's id.  Two rules get no positives on purpose, because what they
# match is public by design: razorpay-key (a Razorpay key id is what the
# browser checkout receives) and newrelic-browser-api-token (the NRJS- key is
# embedded in every page the browser agent monitors).
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
        ("github-pat", "ghp_EXAMPLE" + "0123456789abcdefghijklmnopqrs"),
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
        ("oauth-client-id", "GOOGLE_CLIENT_ID", "%s-%s.apps.googleusercontent.com" % (digits(12), rs(LOWER_ALNUM, 32))),
        ("mapbox-public-token", R.choice(["MAPBOX_ACCESS_TOKEN", "NEXT_PUBLIC_MAPBOX_TOKEN"]),
         "pk." + b64url(json.dumps({"u": "acme-maps", "a": rs(LOWER_ALNUM, 25)}, separators=(",", ":")).encode()) + "." + rs(B64URL, 22)),
        ("clerk-publishable-key", "NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY", "pk_live_" + b64(b"clerk.acme.io$").rstrip("=")),
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
        ("DB_PASSWORD_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:%s:secret:prod/orders/db-password-Xk3p9Q" % digits(12)),
        ("JWT_SIGNING_KEY", "projects/acme-prod/locations/global/keyRings/app/cryptoKeys/jwt-signing-2024"),
        ("VAULT_SECRET_PATH", "secret/data/orders/prod/stripe"),
        ("ENCRYPTION_KEY_ALIAS", "alias/orders-prod-2024"),
        ("DB_PASSWORD", "@Microsoft.KeyVault(SecretUri=https://acme-kv.vault.azure.net/secrets/db-password/)"),
        ("API_KEY_SECRET_NAME", "orders-api-key-v2"), ("SECRET_KEY_FILE", "/run/secrets/django_secret_key"),
        ("PASSWORD_FILE", "/var/run/secrets/db/password"), ("CLIENT_SECRET_ENV_VAR", "OAUTH_CLIENT_SECRET"),
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
        self.used = set()   # filler lines already used here

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
        """A multi-line block (PEM, OpenSSH, PGP); the placement is its line AT (the BEGIN line).

        The note ends with "[lines A-B]", the block's extent: the test credits a
        finding inside a negative block to that negative, and ignores findings on
        the body of a positive block (neither a hit nor a false positive)."""
        first = len(self.lines) + 1
        n = first + at
        self.marks[n] = (kind, provider, "%s [lines %d-%d]" % (note, first, first + len(lines) - 1))
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
    if R.random() < 0.33 and KEYEDROT.items:
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


# ---- negatives for key/value contexts ---------------------------------------------

# References to a secret kept elsewhere, per syntax: "%K" is the env-style key,
# "%k" its lower-case form, "%c" camelCase, "%d" dotted.
REFS = {
    "env": ["${%K}", "${%K:-}", "${%K:?required}"],
    "yaml": ["${%K}", "$(%K)", "${%K:-}"],
    "gha": ["${{ secrets.%K }}", "${{ secrets.%K }}", "${{ vars.%K }}"],
    "json": ["${%K}", "{{%c}}", "${env:%K}"],
    "python": ['os.environ["%K"]', 'os.getenv("%K")', 'os.environ.get("%K", "")', 'config("%K")', "settings.%K"],
    "js": ["process.env.%K", 'process.env["%K"]', "import.meta.env.VITE_%K", 'Deno.env.get("%K")'],
    "go": ['os.Getenv("%K")', 'viper.GetString("%k")', 'mustEnv("%K")'],
    "java": ['System.getenv("%K")', 'env.getProperty("%d")', 'System.getProperty("%d")'],
    "ruby": ['ENV["%K"]', 'ENV.fetch("%K")', "Rails.application.credentials.%k"],
    "shell": ['"$%K"', '"${%K:?%K is required}"', '"$(cat /run/secrets/%k)"', '"$(vault kv get -field=%k secret/ci)"'],
    "tf": ["var.%k", "data.aws_ssm_parameter.%k.value", "sensitive(var.%k)"],
    "ini": ["${%K}", "%(%k)s", "${env:%K}"],
    "toml": ["${%K}", "env:%K"],
    "docker": ["${%K}", "$%K"],
}
# syntaxes whose references are expressions, not strings
CODE = {"python", "js", "go", "java", "ruby", "tf"}


def ref_for(syntax, K):
    t = R.choice(REFS[syntax])
    return t.replace("%K", K).replace("%k", snake(K)).replace("%c", camel(K)).replace("%d", dotted(K))


def next_negative(syntax):
    """dict(provider, key, value, raw, note) for a key/value context."""
    r = R.random()
    K = R.choice(SECRETISH_KEYS)
    if r < 0.18:
        cat, v = placeholder_value()
        return dict(provider="placeholder", key=K, value=v, raw=False, note="placeholder %s" % v)
    if r < 0.25:
        p, v = xprefix_value()
        return dict(provider=p, key=key_for(p) if p in ALL else K, value=v, raw=False, note="prefix padded with x")
    if r < 0.41:
        v = ref_for(syntax, K)
        return dict(provider="reference", key=K, value=v, raw=syntax in CODE,
                    note="reference to the environment or a secret store: %s" % v)
    if r < 0.43:
        return dict(provider="empty", key=K, value="", raw=False, note="empty value")
    if r < 0.52:
        v = lowent_value()
        K = R.choice(["DB_PASSWORD", "ADMIN_PASSWORD", "PASSWORD", "SECRET", "API_KEY", "REDIS_PASSWORD"])
        return dict(provider="generic-password", key=K, value=v, raw=False, note="low-entropy value %s" % v)
    if r < 0.56:
        if R.random() < 0.5:
            return dict(provider="aws-access-key-id", key="AWS_ACCESS_KEY_ID", value=AWS_EXAMPLE_ID, raw=False,
                        note="AWS documented example key id")
        return dict(provider="aws-secret-access-key", key="AWS_SECRET_ACCESS_KEY", value=AWS_EXAMPLE_SECRET,
                    raw=False, note="AWS documented example secret key")
    if r < 0.63:
        p, v = example_value()
        return dict(provider=p, key=key_for(p), value=v, raw=False, note="value marked as an example")
    if r < 0.90:
        cat, key, v = nonsecret_value()
        return dict(provider=cat, key=key, value=v, raw=False, note="%s, not a secret" % cat)
    key, v = secretish_nonsecret()
    return dict(provider="config-value", key=key, value=v, raw=False, note="secret-sounding key, plain configuration value")


TOKENLIKE = {"placeholder", "reference", "empty"}
POS_SCALE = 2.0   # every covered provider lands three times or more
KEY_SUFFIXES = ["_SECONDARY", "_OLD", "_V2", "_BACKUP", "_NEXT", "_2", "_3", "_4", "_5", "_6"]


def entries(n_pos, n_neg, syntax):
    """N_POS positives (times POS_SCALE) and N_NEG negatives for one mapping, shuffled, with distinct keys."""
    out = []
    n_pos = int(round(n_pos * POS_SCALE))
    for _ in range(n_pos):
        p, K, v = next_positive()
        out.append(dict(kind="positive", provider=p, key=K, value=v, raw=False, note=""))
    for _ in range(n_neg):
        e = next_negative(syntax)
        e["kind"] = "negative"
        e["tokenlike"] = e["provider"] in TOKENLIKE or e["provider"] in ALL
        out.append(e)
    R.shuffle(out)
    seen = set()
    for e in out:
        base, i = e["key"], 0
        while e["key"].lower() in seen:
            e["key"] = base + KEY_SUFFIXES[i]
            i += 1
        seen.add(e["key"].lower())
    return out


def needs_quotes_yaml(v):
    return v == "" or v[0] in "*&!%@`{[<>|#?-:,'\"" or ": " in v or " #" in v or v in ("true", "false", "null")


def emit(f, e, line, note):
    value = None if e["raw"] or e["value"] == "" else e["value"]
    if e["kind"] == "positive":
        f.pos(e["provider"], line, note, value)
    else:
        f.neg(e["provider"], line, (e["note"] + "; " + note) if note else e["note"], value)


def filler(f, pool, lo=0, hi=3):
    """LO..HI filler lines from POOL, each used once per file (then blank lines)."""
    for _ in range(R.randint(lo, hi)):
        fresh = [p for p in pool if p not in f.used]
        line = R.choice(fresh) if fresh else ""
        if line:
            f.used.add(line)
        f.fill(line)


# ---- .env files ----------------------------------------------------------------------

ENV_FILL = ["", "# --- database ---", "PORT=8080", "NODE_ENV=production", "LOG_LEVEL=info", "APP_NAME=orders-api",
            "DB_HOST=db.internal", "DB_PORT=5432", "DB_NAME=orders", "REDIS_HOST=redis", "FEATURE_NEW_CHECKOUT=true",
            "TZ=UTC", "WORKERS=4", "CACHE_TTL=300", "S3_BUCKET=acme-uploads-prod", "AWS_REGION=eu-west-1",
            "SMTP_HOST=smtp.mailgun.org", "SMTP_PORT=587", "CORS_ORIGINS=https://app.acme.io,https://admin.acme.io",
            "# values below are loaded by docker compose", "SENTRY_ENVIRONMENT=production", "MAX_UPLOAD_MB=25",
            "RATE_LIMIT_PER_MINUTE=600", "# third-party integrations", "DB_USER=orders_app", "HTTP_TIMEOUT=30s",
            "ENABLE_METRICS=1", "QUEUE_NAME=orders-events"]


def env_line(e):
    K, v = e["key"], e["value"]
    q = "'" if "$" in v and not v.startswith("$") else R.choice(["", "", '"', "'"])
    style = R.random()
    if style < 0.55:
        return "%s=%s%s%s" % (K, q, v, q), "KEY=value, " + note_q(q)
    if style < 0.7:
        return "export %s=%s%s%s" % (K, q, v, q), "export KEY=value, " + note_q(q)
    if style < 0.8:
        return "%s=%s%s%s" % (snake(K), q, v, q), "lower-case key, " + note_q(q)
    if style < 0.85:
        return "%s = %s%s%s" % (K, q, v, q), "spaces around =, " + note_q(q)
    if style < 0.9:
        return "%s=%s%s%s  \t" % (K, q, v, q), "trailing whitespace, " + note_q(q)
    return "%s=%s%s%s   # rotated 2026-01" % (K, q, v, q), "trailing comment, " + note_q(q)


def env_file(path, n_pos, n_neg, head=("# Application settings",)):
    f = F(path)
    f.fill(*head)
    for e in entries(n_pos, n_neg, "env"):
        filler(f, ENV_FILL, 0, 2)
        line, note = env_line(e)
        emit(f, e, line, "env " + note)
    filler(f, ENV_FILL, 1, 3)
    f.save()


# ---- YAML ----------------------------------------------------------------------------

def yaml_scalar(v, force=None):
    q = force if force is not None else R.choice(["", "", '"', "'"])
    if q == "" and needs_quotes_yaml(v):
        q = '"'
    if R.random() < 0.1:
        return q + v + q + "   # " + R.choice(["rotated 2026-02", "owner: platform", "see runbook"]), note_q(q) + ", trailing comment"
    return q + v + q, note_q(q)


def k8s_secret(path, docs):
    """DOCS: list of (name, n_pos, n_neg)."""
    f = F(path)
    first = True
    for name, n_pos, n_neg in docs:
        if not first:
            f.fill("---")
        first = False
        f.fill("apiVersion: v1", "kind: Secret", "metadata:", "  name: %s" % name,
               "  namespace: %s" % R.choice(["payments", "default", "ci", "platform"]), "  labels:",
               "    app.kubernetes.io/name: %s" % name.split("-")[0], "    app.kubernetes.io/part-of: shop",
               "type: Opaque", "stringData:")
        for e in entries(n_pos, n_neg, "yaml"):
            if R.random() < 0.15:
                f.fill("  # %s" % R.choice(["rotated by platform team", "managed by sealed-secrets migration",
                                            "TODO move to external-secrets", "used by the worker too"]))
            key = R.choice([e["key"], e["key"], snake(e["key"])] +
                           ([kebab(e["key"]), dotted(e["key"])] if e["provider"] not in KEYED else []))
            val, qn = yaml_scalar(e["value"])
            emit(f, e, "  %s: %s" % (key, val), "k8s Secret stringData, " + qn)
    f.save()


def k8s_tls_secret(path):
    f = F(path)
    f.fill("apiVersion: v1", "kind: Secret", "metadata:", "  name: ingress-tls", "  namespace: ingress-nginx",
           "type: kubernetes.io/tls", "stringData:", "  tls.crt: |")
    f.block("negative", "certificate", "PEM certificate in a TLS Secret", ["    " + l for l in cert_pem()])
    f.fill("  tls.key: |")
    f.block("positive", "private-key", "RSA private key in a TLS Secret, indented block", ["    " + l for l in private_key_pem("RSA")])
    f.save()


def compose_file(path, services):
    """SERVICES: list of (name, image, n_pos, n_neg, style) with style 'list' or 'map'."""
    f = F(path)
    f.fill("# docker compose for local and staging", "services:")
    for name, image, n_pos, n_neg, style in services:
        f.fill("  %s:" % name, "    image: %s" % image, "    restart: unless-stopped")
        if R.random() < 0.5:
            port = {"db": 5432}.get(name, R.choice([8080, 3000, 9000]))
            f.fill("    ports:", '      - "%d:%d"' % (port, port))
        f.fill("    environment:")
        for e in entries(n_pos, n_neg, "yaml"):
            if style == "list":
                q = R.choice(["", "", '"'])
                line = "      - %s%s=%s%s" % (q, e["key"], e["value"], q)
                note = "compose environment list, " + ("quoted item" if q else "unquoted item")
            else:
                val, qn = yaml_scalar(e["value"])
                line = "      %s: %s" % (e["key"], val)
                note = "compose environment map, " + qn
            emit(f, e, line, note)
        f.fill("    depends_on:", "      - db" if name != "db" else "      - volume-init")
    f.fill("volumes:", "  pgdata: {}")
    f.save()


def gha_workflow(path, n_pos, n_neg):
    f = F(path)
    f.fill("name: %s" % os.path.basename(path).split(".")[0], "", "on:", "  push:", "    branches: [main]", "  workflow_dispatch: {}", "",
           "permissions:", "  contents: read", "  id-token: write", "", "env:")
    es = entries(n_pos, n_neg, "gha")
    half = len(es) // 2
    for e in es[:half]:
        val, qn = yaml_scalar(e["value"])
        emit(f, e, "  %s: %s" % (e["key"], val), "GitHub Actions workflow env, " + qn)
    f.fill("", "jobs:", "  deploy:", "    runs-on: ubuntu-latest", "    environment: production", "    steps:")
    sha = rs(HEX, 40)
    f.neg("git-commit", "      - uses: actions/checkout@%s # v4.2.2" % sha, "action pinned to a commit id", sha)
    f.fill("      - uses: actions/setup-node@v4", "        with:", "          node-version: 20",
           "      - name: Build and publish", "        env:")
    for e in es[half:]:
        val, qn = yaml_scalar(e["value"])
        emit(f, e, "          %s: %s" % (e["key"], val), "GitHub Actions step env, " + qn)
    f.fill("        run: |", "          npm ci", "          npm run build", "          npm publish --access public")
    f.save()


HELM_FILL = ["replicaCount: 2", "image:\n  repository: ghcr.io/acme/orders\n  tag: \"1.27.3\"\n  pullPolicy: IfNotPresent",
             "service:\n  type: ClusterIP\n  port: 80", "resources:\n  limits:\n    cpu: 500m\n    memory: 512Mi",
             "ingress:\n  enabled: true\n  className: nginx", "nodeSelector: {}", "tolerations: []",
             "autoscaling:\n  enabled: false\n  minReplicas: 1\n  maxReplicas: 5"]


def helm_values(path, sections):
    """SECTIONS: list of (name, n_pos, n_neg)."""
    f = F(path)
    f.fill("# Default values for orders.", "# This is a YAML-formatted file.")
    for name, n_pos, n_neg in sections:
        f.fill(R.choice(HELM_FILL), "")
        f.fill("%s:" % name)
        if R.random() < 0.5:
            f.fill("  enabled: true")
        for e in entries(n_pos, n_neg, "yaml"):
            val, qn = yaml_scalar(e["value"])
            key = R.choice([camel(e["key"]), camel(e["key"]), snake(e["key"])])
            if R.random() < 0.3:
                f.fill("  %s:" % camel(e["key"].split("_")[0]))
                emit(f, e, "    %s: %s" % (key, val), "Helm values nested two deep, " + qn)
            else:
                emit(f, e, "  %s: %s" % (key, val), "Helm values, " + qn)
    f.fill("", R.choice(HELM_FILL))
    f.save()


# ---- JSON ----------------------------------------------------------------------------

class Mark:
    def __init__(self, e):
        self.e = e


def json_emit(f, obj, indent=2, level=0, prefix="", last=True):
    """Pretty-prints OBJ into F, placing Mark values on their own lines."""
    pad = " " * (indent * level)
    comma = "" if last else ","
    if isinstance(obj, dict):
        f.fill(pad + prefix + "{")
        items = list(obj.items())
        for i, (k, v) in enumerate(items):
            json_emit(f, v, indent, level + 1, json.dumps(k) + ": ", i == len(items) - 1)
        f.fill(pad + "}" + comma)
    elif isinstance(obj, list) and obj and isinstance(obj[0], (dict, list)):
        f.fill(pad + prefix + "[")
        for i, v in enumerate(obj):
            json_emit(f, v, indent, level + 1, "", i == len(obj) - 1)
        f.fill(pad + "]" + comma)
    elif isinstance(obj, Mark):
        emit(f, obj.e, pad + prefix + json.dumps(obj.e["value"]) + comma, "JSON string value")
    else:
        f.fill(pad + prefix + json.dumps(obj) + comma)


def json_config(path, sections, base):
    """BASE: dict of filler settings; SECTIONS: list of (name, n_pos, n_neg)."""
    f = F(path)
    doc = dict(base)
    for name, n_pos, n_neg in sections:
        sec = {"enabled": True} if R.random() < 0.5 else {}
        for e in entries(n_pos, n_neg, "json"):
            k = R.choice([camel(e["key"]), camel(e["key"]), e["key"], snake(e["key"])])
            while k in sec:
                k += "2"
            sec[k] = Mark(e)
        if R.random() < 0.5:
            sec["timeoutMs"] = R.choice([5000, 10000, 30000])
        doc[name] = sec
    json_emit(f, doc)
    f.save()


def service_account_json(path, project):
    f = F(path)
    pk = "\\n".join(private_key_pem("PKCS8")) + "\\n"
    key_id = rs(HEX, 40)
    f.fill("{", '  "type": "service_account",', '  "project_id": "%s",' % project)
    f.neg("git-commit", '  "private_key_id": "%s",' % key_id, "service-account private_key_id is a key id (40 hex), not the key", key_id)
    f.pos("gcp-service-account-key", '  "private_key": "%s",' % pk, "PKCS#8 private key inside a service-account JSON, \\n-escaped on one line")
    email = "%s@%s.iam.gserviceaccount.com" % (R.choice(["deployer", "ci-runner", "bq-export"]), project)
    f.fill('  "client_email": "%s",' % email, '  "client_id": "%s",' % digits(21),
           '  "auth_uri": "https://accounts.google.com/o/oauth2/auth",',
           '  "token_uri": "https://oauth2.googleapis.com/token",',
           '  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",',
           '  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/%s",' % email.replace("@", "%40"),
           '  "universe_domain": "googleapis.com"', "}")
    f.save()


# ---- PEM, OpenSSH and PGP blocks -----------------------------------------------------

def wrap(s, n=64):
    return [s[i:i + n] for i in range(0, len(s), n)]


def sshstr(b):
    return struct.pack(">I", len(b)) + b


def openssh_private():
    pub = rbytes(32)
    blob = sshstr(b"ssh-ed25519") + sshstr(pub)
    check = rbytes(4)
    priv = check + check + sshstr(b"ssh-ed25519") + sshstr(pub) + sshstr(rbytes(32) + pub) + sshstr(b"deploy@ci")
    priv += bytes(range(1, 1 + (-len(priv)) % 8))
    body = b"openssh-key-v1\0" + sshstr(b"none") + sshstr(b"none") + sshstr(b"") + struct.pack(">I", 1) + sshstr(blob) + sshstr(priv)
    return wrap(b64(body), 70)


def private_key_pem(kind):
    if kind == "OPENSSH":
        return ["-----BEGIN OPENSSH PRIVATE KEY-----"] + openssh_private() + ["-----END OPENSSH PRIVATE KEY-----"]
    if kind == "PGP":
        body = bytes([0x95, 0x03, 0xc6, 0x04]) + rbytes(900)
        crc = b64(rbytes(3))
        return (["-----BEGIN PGP PRIVATE KEY BLOCK-----", ""] + wrap(b64(body), 64) + ["=" + crc,
                "-----END PGP PRIVATE KEY BLOCK-----"])
    label, der, extra = {
        "RSA": ("RSA PRIVATE KEY", "308204a40201000282010100", 1180),
        "PKCS8": ("PRIVATE KEY", "308204be020100300d06092a864886f70d0101010500048204a8308204a40201000282010100", 1180),
        "EC": ("EC PRIVATE KEY", "30770201010420", 0),
        "DSA": ("DSA PRIVATE KEY", "308201bb02010002818100", 432),
        "ENCRYPTED": ("ENCRYPTED PRIVATE KEY", "3082051c304e06092a864886f70d01050d3041", 1280),
    }[kind]
    data = bytes.fromhex(der)
    if kind == "EC":
        data += rbytes(32) + bytes.fromhex("a00a06082a8648ce3d030107a14403420004") + rbytes(64)
    else:
        data += rbytes(extra)
    return ["-----BEGIN %s-----" % label] + wrap(b64(data)) + ["-----END %s-----" % label]


def legacy_encrypted_rsa():
    return (["-----BEGIN RSA PRIVATE KEY-----", "Proc-Type: 4,ENCRYPTED", "DEK-Info: AES-256-CBC,%s" % rs(UHEX, 32), ""]
            + wrap(b64(rbytes(1200))) + ["-----END RSA PRIVATE KEY-----"])


def cert_pem(label="CERTIFICATE"):
    data = bytes.fromhex("308203") + rbytes(1) + bytes.fromhex("308202") + rbytes(901)
    return ["-----BEGIN %s-----" % label] + wrap(b64(data)) + ["-----END %s-----" % label]


def public_key_pem():
    data = (bytes.fromhex("30820122300d06092a864886f70d01010105000382010f003082010a0282010100")
            + rbytes(256) + bytes.fromhex("0203010001"))
    return ["-----BEGIN PUBLIC KEY-----"] + wrap(b64(data)) + ["-----END PUBLIC KEY-----"]


def rsa_public_pem():
    data = bytes.fromhex("3082010a0282010100") + rbytes(256) + bytes.fromhex("0203010001")
    return ["-----BEGIN RSA PUBLIC KEY-----"] + wrap(b64(data)) + ["-----END RSA PUBLIC KEY-----"]


def pgp_public():
    body = bytes([0x99, 0x01, 0x8d, 0x04]) + rbytes(700)
    return (["-----BEGIN PGP PUBLIC KEY BLOCK-----", ""] + wrap(b64(body)) + ["=" + b64(rbytes(3)),
            "-----END PGP PUBLIC KEY BLOCK-----"])


def ssh_pub(kind=None, comment=None):
    kind = kind or R.choice(["ed25519", "ed25519", "rsa", "ecdsa"])
    comment = comment or R.choice(["alice@laptop", "bob@workstation", "deploy@ci", "carol@acme.io", "ops@bastion"])
    if kind == "ed25519":
        return "ssh-ed25519 %s %s" % (b64(sshstr(b"ssh-ed25519") + sshstr(rbytes(32))), comment)
    if kind == "rsa":
        return "ssh-rsa %s %s" % (b64(sshstr(b"ssh-rsa") + sshstr(b"\x01\x00\x01") + sshstr(b"\x00" + rbytes(256))), comment)
    return "ecdsa-sha2-nistp256 %s %s" % (b64(sshstr(b"ecdsa-sha2-nistp256") + sshstr(b"nistp256") + sshstr(b"\x04" + rbytes(64))), comment)


# ---- source code ---------------------------------------------------------------------
# A template: (literal form, form for an expression value or None, needs the key, note, before, after).

def T(lit, raw, keyed, note, before=(), after=()):
    return dict(lit=lit, raw=raw, keyed=keyed, note=note, before=list(before), after=list(after))


CLIENTS = ["Client", "ApiClient", "HttpClient", "RestClient"]
HOSTS = ["acme.io", "api.northwind.dev", "globex.cloud", "internal.acme.io"]


def fill_template(t, e):
    K = e["key"]
    v = e["value"]
    raw = e["raw"]
    form = t["raw"] if raw else t["lit"]
    vv = v.strip('"') if raw and v.startswith('"') else v
    return form.format(K=K, k=snake(K), c=camel(K), P=camel(K)[0].upper() + camel(K)[1:], d=dotted(K), v=v, vq=vv,
                       cls=R.choice(CLIENTS), host=R.choice(HOSTS),
                       pkg=R.choice(["acme", "sdk", "api", "client"]),
                       cli=R.choice(["acme", "vercel", "fly", "doctl", "gh"]))


def pick_template(templates, e):
    ok = [t for t in templates if (t["raw"] is not None or not e["raw"])
          and (t["keyed"] or (e["kind"] == "positive" and e["provider"] not in KEYED)
               or (e["kind"] == "negative" and e.get("tokenlike") and R.random() < 0.3))]
    return R.choice(ok)


def code_place(f, templates, e, lang, pad=""):
    t = pick_template(templates, e)
    f.fill(*[pad + b for b in t["before"]])
    emit(f, e, pad + fill_template(t, e), "%s %s" % (lang, t["note"]))
    f.fill(*[pad + a for a in t["after"]])


PY_T = [
    T('{K} = "{v}"', "{K} = {v}", True, "module constant, double-quoted"),
    T("{k} = '{v}'", "{k} = {v}", True, "assignment, single-quoted"),
    T('client = {cls}({k}="{v}")', "client = {cls}({k}={v})", True, "keyword argument"),
    T('headers = {{"Authorization": "Bearer {v}"}}', 'headers = {{"Authorization": "Bearer " + {v}}}', False, "Authorization: Bearer header"),
    T('os.environ.setdefault("{K}", "{v}")', None, True, "os.environ default"),
    T('DEFAULTS = {{"{k}": "{v}", "timeout": 30}}', 'DEFAULTS = {{"{k}": {v}, "timeout": 30}}', True, "dict literal"),
    T('    {k}: str = "{v}"', "    {k}: str = {v}", True, "dataclass field", before=["@dataclass", "class Settings:"]),
    T('resp = requests.get(url, headers={{"Authorization": f"token {v}"}}, timeout=10)', None, False, "f-string header"),
]
PY_FILL = ["", "log = logging.getLogger(__name__)", "TIMEOUT = 30", "RETRIES = 3", "BASE_URL = \"https://api.acme.io/v1\"",
           "def healthcheck():\n    return {\"status\": \"ok\"}", "# keep in sync with deploy/values.yaml",
           "def chunked(items, size):\n    for i in range(0, len(items), size):\n        yield items[i:i + size]",
           "PAGE_SIZE = 100", "DEFAULT_REGION = \"eu-west-1\""]


def python_file(path, n_pos, n_neg, doc="Service settings."):
    f = F(path)
    f.fill('"""%s"""' % doc, "import logging", "import os", "from dataclasses import dataclass", "", "import requests", "")
    for e in entries(n_pos, n_neg, "python"):
        filler(f, PY_FILL, 0, 2)
        code_place(f, PY_T, e, "python")
    filler(f, PY_FILL, 1, 2)
    f.save()


JS_T = [
    T('const {c} = "{v}";', "const {c} = {v};", True, "const, double-quoted"),
    T("export const {K} = '{v}';", "export const {K} = {v};", True, "exported const, single-quoted"),
    T("const {c} = `{v}`;", None, True, "template literal"),
    T('const {c} = process.env.{K} || "{v}";', None, True, "fallback default after process.env"),
    T("const client = new {cls}({{ {c}: '{v}' }});", "const client = new {cls}({{ {c}: {v} }});", True, "object argument"),
    T('fetch(url, {{ headers: {{ Authorization: "Bearer {v}" }} }});',
      "fetch(url, {{ headers: {{ Authorization: `Bearer ${{{v}}}` }} }});", False, "fetch Authorization header"),
    T("axios.defaults.headers.common['Authorization'] = 'Bearer {v}';",
      "axios.defaults.headers.common['Authorization'] = `Bearer ${{{v}}}`;", False, "axios default header"),
    T('  {c}: "{v}",', "  {c}: {v},", True, "object property", before=["module.exports = {"], after=["};"]),
]
TS_T = JS_T + [
    T('const {c}: string = "{v}";', "const {c}: string = {v};", True, "typed const"),
    T('  private readonly {c} = "{v}";', "  private readonly {c} = {v};", True, "class field",
      before=["export class %sService {" % R.choice(["Billing", "Notify", "Search"])], after=["}"]),
]
JS_FILL = ["", "const BASE_URL = 'https://api.acme.io/v2';", "const TIMEOUT_MS = 10_000;",
           "function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }", "// retry on 429 and 5xx",
           "const log = require('debug')('app:config');", "let retries = 3;", "export const PAGE_SIZE = 50;",
           "const isProd = process.env.NODE_ENV === 'production';"]


def js_file(path, n_pos, n_neg, ts=False):
    f = F(path)
    f.fill("'use strict';" if not ts else "import { Client } from './client';", "import axios from 'axios';", "")
    for e in entries(n_pos, n_neg, "js"):
        filler(f, JS_FILL, 0, 2)
        code_place(f, TS_T if ts else JS_T, e, "typescript" if ts else "javascript")
    filler(f, JS_FILL, 1, 2)
    f.save()


GO_TOP = [
    T('const {c} = "{v}"', "var {c} = {v}", True, "package const"),
    T("var {c} = `{v}`", None, True, "raw string var"),
]
GO_BODY = [
    T('\t{c} := "{v}"', "\t{c} := {v}", True, "short variable declaration"),
    T('\treq.Header.Set("Authorization", "Bearer {v}")', '\treq.Header.Set("Authorization", "Bearer "+{v})', False, "Authorization header"),
    T('\tclient := {pkg}.NewClient("{v}")', "\tclient := {pkg}.NewClient({v})", False, "constructor argument"),
    T('\tcfg := Config{{{P}: "{v}", Timeout: 30 * time.Second}}', "\tcfg := Config{{{P}: {v}, Timeout: 30 * time.Second}}", True, "struct literal"),
]
GO_FILL_TOP = ["", "// Timeout bounds every outbound call.", "const defaultTimeout = 30 * time.Second", "var ErrNotFound = errors.New(\"not found\")"]
GO_FILL_BODY = ["\tif err != nil {\n\t\treturn nil, err\n\t}", "\tlog.Printf(\"calling %s\", url)", "",
                "\t// one retry on 5xx, see retry.go", "\treq.Header.Set(\"Accept\", \"application/json\")"]


def go_file(path, n_pos, n_neg):
    f = F(path)
    f.fill("package config", "", "import (", '\t"context"', '\t"errors"', '\t"log"', '\t"net/http"', '\t"os"', '\t"time"', ")", "")
    es = entries(n_pos, n_neg, "go")
    top, body = es[: len(es) // 3], es[len(es) // 3:]
    for e in top:
        filler(f, GO_FILL_TOP, 0, 1)
        code_place(f, GO_TOP, e, "go")
    f.fill("", "func newRequest(ctx context.Context, url string) (*http.Request, error) {",
           "\treq, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)")
    for e in body:
        filler(f, GO_FILL_BODY, 0, 2)
        code_place(f, GO_BODY, e, "go")
    f.fill("\treturn req, err", "}")
    f.save()


JAVA_FIELD = [
    T('    private static final String {K} = "{v}";', "    private static final String {K} = {v};", True, "static final field"),
    T('    @Value("${{{d}:{v}}}")', None, True, "Spring @Value default", after=["    private String {0};".format("value")]),
]
JAVA_BODY = [
    T('        String {c} = "{v}";', "        String {c} = {v};", True, "local variable"),
    T('        conn.setRequestProperty("Authorization", "Bearer {v}");',
      '        conn.setRequestProperty("Authorization", "Bearer " + {v});', False, "HttpURLConnection header"),
    T('            .{c}("{v}")', "            .{c}({v})", True, "builder call",
      before=["        Client client = Client.builder()"], after=["            .build();"]),
]
JAVA_FILL = ["", "        // TODO: move to the config server", "        int retries = 3;", "        log.info(\"starting client\");"]


def java_file(path, n_pos, n_neg, cls):
    f = F(path)
    f.fill("package io.acme.orders.config;", "", "import java.net.HttpURLConnection;",
           "import org.springframework.beans.factory.annotation.Value;", "", "public class %s {" % cls, "")
    es = entries(n_pos, n_neg, "java")
    fields, body = es[: len(es) // 2], es[len(es) // 2:]
    for e in fields:
        code_place(f, JAVA_FIELD, e, "java")
    f.fill("", "    public void configure(HttpURLConnection conn) {")
    for e in body:
        filler(f, JAVA_FILL, 0, 1)
        code_place(f, JAVA_BODY, e, "java")
    f.fill("    }", "}")
    f.save()


RB_T = [
    T("{K} = '{v}'", "{K} = {v}", True, "constant"),
    T('  config.{k} = "{v}"', "  config.{k} = {v}", True, "configure block", before=["Acme.configure do |config|"], after=["end"]),
    T("client = {cls}.new({k}: '{v}')", "client = {cls}.new({k}: {v})", True, "keyword argument"),
    T("http.headers['Authorization'] = \"Bearer {v}\"", "http.headers['Authorization'] = \"Bearer #{{{v}}}\"", False, "Authorization header"),
    T('ENV["{K}"] ||= "{v}"', None, True, "ENV default"),
]
RB_FILL = ["", "require 'net/http'", "TIMEOUT = 15", "# frozen settings for the worker", "def retries = 3"]


def ruby_file(path, n_pos, n_neg):
    f = F(path)
    f.fill("# frozen_string_literal: true", "")
    for e in entries(n_pos, n_neg, "ruby"):
        filler(f, RB_FILL, 0, 2)
        code_place(f, RB_T, e, "ruby")
    f.save()


SH_T = [
    T('export {K}="{v}"', "export {K}={v}", True, "export"),
    T("{K}='{v}'", "{K}={v}", True, "assignment"),
    T('curl -sS -H "Authorization: Bearer {v}" https://{host}/v1/deployments',
      'curl -sS -H "Authorization: Bearer {vq}" https://{host}/v1/deployments', False, "curl Authorization header"),
    T("{cli} login --token {v}", "{cli} login --token {v}", False, "CLI --token flag"),
    T('echo "{v}" | docker login ghcr.io -u acme-ci --password-stdin', "echo {v} | docker login ghcr.io -u acme-ci --password-stdin",
      False, "piped into docker login"),
]
SH_FILL = ["", "set -euo pipefail", 'cd "$(dirname "$0")/.."', "echo \"deploying $(git rev-parse --short HEAD)\"",
           "make build", "# shellcheck disable=SC2086", "kubectl rollout status deploy/orders -n payments"]


def shell_file(path, n_pos, n_neg):
    f = F(path)
    f.fill("#!/usr/bin/env bash", "set -euo pipefail", "")
    for e in entries(n_pos, n_neg, "shell"):
        filler(f, SH_FILL, 0, 2)
        code_place(f, SH_T, e, "shell")
    f.save()


CODE.add("shell")


# ---- Terraform -----------------------------------------------------------------------

TF_PROVIDER = {"aws": "aws", "github": "github", "gitlab": "gitlab", "slack": "slack", "stripe": "stripe",
               "google": "google", "digitalocean": "digitalocean", "heroku": "heroku", "datadog": "datadog",
               "azure": "azurerm", "vault": "vault", "grafana": "grafana", "sentry": "sentry", "newrelic": "newrelic"}


def tf_family(K):
    head = K.split("_")[0].lower()
    return TF_PROVIDER.get(head, R.choice(["restapi", "http", "acme"]))


def tf_file(path, n_pos, n_neg):
    f = F(path)
    f.fill("terraform {", "  required_version = \">= 1.6\"", "}", "")
    for e in entries(n_pos, n_neg, "tf"):
        style = R.random()
        v = e["value"] if e["raw"] else '"%s"' % e["value"]
        k = snake(e["key"])
        if style < 0.5:
            f.fill('provider "%s" {' % tf_family(e["key"]))
            if R.random() < 0.5:
                f.fill('  region = "eu-west-1"' if tf_family(e["key"]) == "aws" else '  alias  = "primary"')
            emit(f, e, "  %s = %s" % (k, v), "terraform provider block argument")
            f.fill("}", "")
        elif style < 0.8 or e["raw"]:
            f.fill('resource "kubernetes_secret" "%s" {' % kebab(e["key"]).replace("-", "_"), "  metadata {",
                   '    name = "%s"' % kebab(e["key"]), "  }", "  data = {")
            emit(f, e, "    %s = %s" % (k, v), "terraform map attribute")
            f.fill("  }", "}", "")
        else:
            f.fill('variable "%s" {' % k, "  type      = string", "  sensitive = true")
            emit(f, e, "  default   = %s" % v, "terraform variable default")
            f.fill("}", "")
    f.save()


def tfvars_file(path, n_pos, n_neg):
    f = F(path)
    f.fill('environment = "production"', 'region      = "eu-west-1"', "")
    for e in entries(n_pos, n_neg, "toml"):
        if R.random() < 0.2:
            f.fill('instance_type = "t3.%s"' % R.choice(["small", "medium", "large"]))
        emit(f, e, '%s = "%s"' % (snake(e["key"]), e["value"]), "tfvars assignment")
    f.save()


# ---- INI, properties, TOML, Dockerfile -----------------------------------------------

def ini_file(path, sections):
    f = F(path)
    f.fill("; application configuration", "")
    for name, n_pos, n_neg in sections:
        f.fill("[%s]" % name)
        if R.random() < 0.6:
            f.fill(R.choice(["host = %s.internal" % name, "enabled = true", "timeout = 30", "region = eu-west-1"]))
        for e in entries(n_pos, n_neg, "ini"):
            sep = R.choice([" = ", "=", ": ", "\t=\t"])
            emit(f, e, "%s%s%s" % (snake(e["key"]), sep, e["value"]),
                 "INI key%svalue%s" % (sep.strip(), ", tabs" if "\t" in sep else ""))
        f.fill("")
    f.save()


def properties_file(path, n_pos, n_neg):
    f = F(path)
    f.fill("# Spring Boot configuration", "spring.application.name=orders", "server.port=8080",
           "spring.jpa.hibernate.ddl-auto=validate", "management.endpoints.web.exposure.include=health,info", "")
    for e in entries(n_pos, n_neg, "ini"):
        if R.random() < 0.3:
            f.fill(R.choice(["logging.level.root=INFO", "spring.jpa.open-in-view=false", "server.shutdown=graceful"]))
        sep = R.choice(["=", "=", " = ", ": "])
        key = "acme." + dotted(e["key"])
        emit(f, e, "%s%s%s" % (key, sep, e["value"]), "Java properties key%svalue" % sep.strip())
    f.save()


def toml_file(path, sections):
    f = F(path)
    f.fill("# settings.toml", 'title = "orders"', "")
    for name, n_pos, n_neg in sections:
        f.fill("[%s]" % name)
        if R.random() < 0.5:
            f.fill("timeout_secs = %d" % R.choice([10, 30, 60]))
        for e in entries(n_pos, n_neg, "toml"):
            q = R.choice(['"', "'"])
            emit(f, e, "%s = %s%s%s" % (snake(e["key"]), q, e["value"], q), "TOML string, " + note_q(q))
        f.fill("")
    f.save()


def dockerfile(path, n_pos, n_neg, base="node:20-bookworm-slim"):
    f = F(path)
    digest = rs(HEX, 64)
    f.neg("sha256", "FROM %s@sha256:%s AS build" % (base, digest), "base image pinned by digest", digest)
    f.fill("WORKDIR /app", "COPY package*.json ./")
    for e in entries(n_pos, n_neg, "docker"):
        v = e["value"]
        r = R.random()
        if e["provider"] == "npm-token" and r < 0.5:
            emit(f, e, 'RUN echo "//registry.npmjs.org/:_authToken=%s" > .npmrc && npm ci && rm .npmrc' % v,
                 "Dockerfile RUN writing .npmrc")
        elif r < 0.4:
            emit(f, e, "ENV %s=%s" % (e["key"], v), "Dockerfile ENV KEY=value")
        elif r < 0.6:
            emit(f, e, "ENV %s %s" % (e["key"], v), "Dockerfile ENV KEY value (legacy form)")
        elif r < 0.85:
            emit(f, e, "ARG %s=%s" % (e["key"], v), "Dockerfile ARG default")
        else:
            emit(f, e, 'ENV %s="%s"' % (e["key"], v), "Dockerfile ENV, double-quoted")
        if R.random() < 0.4:
            f.fill(R.choice(["RUN npm ci --omit=dev", "COPY . .", "RUN npm run build", "EXPOSE 8080", "USER node"]))
    f.fill('CMD ["node", "dist/server.js"]')
    f.save()


# ---- connection strings --------------------------------------------------------------

URL_KINDS = Rotation(["postgres", "postgresql", "mysql", "mongodb+srv", "mongodb", "redis", "rediss", "amqp", "amqps",
                      "https-basic", "smtp", "ftp"])


def conn_url():
    """(provider, url) with a generated password in the userinfo."""
    pw = unique(password)
    user = R.choice(["app", "orders_app", "svc_billing", "admin", "deployer", "readonly", "etl"])
    host = R.choice(["db.internal", "10.0.12.7", "orders-db.c9akciq32.eu-west-1.rds.amazonaws.com", "pg-primary", "db"])
    kind = URL_KINDS.next()
    if kind in ("postgres", "postgresql"):
        return "postgres-connection-string", "%s://%s:%s@%s:5432/%s" % (kind, user, pw, host, R.choice(["orders", "app", "billing"]) + R.choice(["", "?sslmode=require"]))
    if kind == "mysql":
        return "mysql-connection-string", "mysql://%s:%s@%s:3306/app" % (user, pw, host)
    if kind == "mongodb+srv":
        return "mongodb-connection-string", "mongodb+srv://%s:%s@cluster0.%s.mongodb.net/prod?retryWrites=true&w=majority" % (user, pw, rs(LOWER_ALNUM, 5))
    if kind == "mongodb":
        return "mongodb-connection-string", "mongodb://%s:%s@mongo-0:27017,mongo-1:27017/admin?replicaSet=rs0" % (user, pw)
    if kind in ("redis", "rediss"):
        u = R.choice(["", "default"])
        return "redis-connection-string", "%s://%s:%s@%s:6379/0" % (kind, u, pw, R.choice(["redis.cache.internal", "cache", "eu1-fancy-cod-31337.upstash.io"]))
    if kind in ("amqp", "amqps"):
        return "amqp-connection-string", "%s://%s:%s@rabbit.internal:%d/prod" % (kind, user, pw, 5671 if kind == "amqps" else 5672)
    if kind == "smtp":
        return "url-password", "smtps://%s:%s@smtp.%s:465" % (user, pw, R.choice(["acme.io", "mailgun.org", "sendgrid.net"]))
    if kind == "ftp":
        return "url-password", "ftp://%s:%s@files.partner.example.net/outbox/" % (user, pw)
    return "url-password", "https://%s:%s@%s/artifactory/api/npm/npm-virtual/" % (user, pw, R.choice(["artifacts.acme.io", "nexus.internal"]))


NEG_URLS = [
    ("connection-string", "postgres://user:password@localhost:5432/mydb", "documentation placeholder credentials"),
    ("connection-string", "postgres://${DB_USER}:${DB_PASSWORD}@${DB_HOST}:5432/app", "credentials interpolated from the environment"),
    ("connection-string", "mongodb+srv://<username>:<password>@cluster0.mongodb.net/?retryWrites=true", "angle-bracket placeholders"),
    ("connection-string", "redis://localhost:6379/0", "no credentials"),
    ("connection-string", "postgres://app@db:5432/app", "user but no password"),
    ("connection-string", "amqp://guest:guest@localhost:5672/", "RabbitMQ's default local guest account"),
    ("connection-string", "postgresql://postgres:postgres@localhost/test_db", "default local credentials"),
    ("connection-string", "mysql://root:root@127.0.0.1:3306/test", "default local credentials"),
    ("connection-string", "redis://:changeme@localhost:6379", "placeholder password"),
    ("connection-string", "postgres://orders:%s@db:5432/orders" % "${POSTGRES_PASSWORD}", "password from the environment"),
    ("connection-string", "https://github.com/acme/infra.git", "plain URL"),
    ("connection-string", "mongodb://mongo:27017/app", "no credentials"),
]


def neg_url():
    return R.choice(NEG_URLS)


def database_yml(path):
    f = F(path)
    f.fill("default: &default", "  adapter: postgresql", "  encoding: unicode", "  pool: <%= ENV.fetch(\"RAILS_MAX_THREADS\") { 5 } %>", "")
    f.fill("development:", "  <<: *default", "  database: orders_development")
    p, u = neg_url()[0], "postgres://postgres:postgres@localhost/orders_development"
    f.neg(p, "  url: %s" % u, "default local credentials in development", u)
    f.fill("", "test:", "  <<: *default", "  database: orders_test", "")
    f.fill("production:", "  <<: *default")
    p, u = conn_url()
    f.pos(p, "  url: %s" % u, "Rails database.yml url with password", u)
    pw = unique(password)
    f.fill("  username: orders")
    f.pos("generic-password", "  password: %s" % pw, "Rails database.yml password", pw)
    f.fill("", "replica:", "  <<: *default")
    f.neg("reference", '  password: <%= ENV["REPLICA_DB_PASSWORD"] %>', "ERB reference to the environment")
    f.fill("  host: replica.internal", "", "cache:", "  <<: *default")
    p, u = conn_url()
    f.pos(p, "  url: %s" % u, "database.yml url", u)
    f.save()


def env_urls(path, n_pos, n_neg):
    f = F(path)
    f.fill("# connection strings for the staging stack", "")
    keys = ["DATABASE_URL", "REDIS_URL", "MONGO_URI", "BROKER_URL", "CACHE_URL", "READ_REPLICA_URL", "CELERY_BROKER_URL",
            "NPM_REGISTRY_URL", "SQLALCHEMY_DATABASE_URI"]
    items = [("positive",) + conn_url() for _ in range(n_pos)] + [("negative",) + neg_url() for _ in range(n_neg)]
    R.shuffle(items)
    for kind, p, u, *rest in items:
        filler(f, ENV_FILL, 0, 1)
        q = R.choice(["", '"', "'"]) if "$" not in u else "'"
        line = "%s=%s%s%s" % (R.choice(keys), q, u, q)
        if kind == "positive":
            f.pos(p, line, "connection URL with password in .env, " + note_q(q), u)
        else:
            f.neg(p, line, rest[0] + ", .env", u)
    f.save()


def appsettings_json(path):
    f = F(path)
    acct = R.choice(["acmeprodstore", "ordersblob01", "shopassets"])
    key = unique(KEYED["azure-storage-account-key"][0])
    sqlpw = unique(password)
    f.fill("{", '  "Logging": {', '    "LogLevel": {', '      "Default": "Information",', '      "Microsoft.AspNetCore": "Warning"', "    }", "  },",
           '  "AllowedHosts": "*",', '  "ConnectionStrings": {')
    f.pos("azure-storage-account-key",
          '    "Storage": "DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;EndpointSuffix=core.windows.net",' % (acct, key),
          "Azure Storage connection string with AccountKey", key)
    f.pos("ado-connection-string",
          '    "Orders": "Server=tcp:acme-sql.database.windows.net,1433;Initial Catalog=orders;User ID=orders_app;Password=%s;Encrypt=True;",' % sqlpw,
          "ADO.NET connection string Password=", sqlpw)
    f.neg("connection-string", '    "Local": "Server=(localdb)\\\\mssqllocaldb;Database=orders;Trusted_Connection=True;MultipleActiveResultSets=true",',
          "integrated authentication, no password")
    p, u = conn_url()
    f.pos(p, '    "Cache": "%s"' % u, "connection URL in appsettings.json", u)
    f.fill("  },", '  "AzureAd": {', '    "Instance": "https://login.microsoftonline.com/",')
    tid = uuid4()
    f.neg("uuid", '    "TenantId": "%s",' % tid, "Azure tenant id (UUID)", tid)
    cid = uuid4()
    f.neg("uuid", '    "ClientId": "%s",' % cid, "Azure application (client) id, public", cid)
    sec = token("azure-ad-client-secret")
    f.pos("azure-ad-client-secret", '    "ClientSecret": "%s"' % sec, "Azure AD client secret", sec)
    f.fill("  }", "}")
    f.save()


# ---- minified bundles ------------------------------------------------------------------

MIN_FRAGS = ['!function(e,t){"object"==typeof exports&&"undefined"!=typeof module?module.exports=t():e.App=t()}(this,function(){"use strict"',
             "var n=Object.defineProperty,r=Object.getOwnPropertyDescriptor,o=Object.getOwnPropertyNames",
             'function a(e){return e&&e.__esModule?e:{default:e}}', 'const u=document.querySelector("#app")',
             'var s=function(e,t){for(var n in t)Object.prototype.hasOwnProperty.call(t,n)&&(e[n]=t[n]);return e}',
             'function c(e){return fetch("/api/v2/orders/"+e,{credentials:"include"}).then(function(e){return e.json()})}',
             'e.prototype.render=function(){return this.el.innerHTML=this.template(this.state),this}',
             'var l=["click","keydown","resize","scroll"]', 'if(!t)throw new TypeError("Cannot call a class as a function")',
             'window.addEventListener("load",function(){u&&u.classList.add("ready")})', 'var f={locale:"en-GB",currency:"GBP",maxItems:50}',
             'function d(e,t){return Math.floor(Math.random()*(t-e+1))+e}', 'return Promise.all(p.map(function(e){return c(e.id)}))',
             'var h=new Map,m=new WeakMap', 'function g(e){return"string"==typeof e?e.trim():String(e)}',
             'var v=/^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$/i', 'console.warn("deprecated: use init() instead")',
             'var y={retry:3,backoffMs:250,timeoutMs:1e4}', 'function b(e){return e.replace(/&/g,"&amp;").replace(/</g,"&lt;")}']


def minified(path, provider_entry, neg_line=None):
    f = F(path)
    f.fill("/*! acme-web v%d.%d.%d | (c) Acme Ltd | MIT */" % (R.randint(1, 4), R.randint(0, 30), R.randint(0, 9)))
    frags = [R.choice(MIN_FRAGS) for _ in range(R.randint(120, 260))]
    e = provider_entry
    v = e["value"]
    keyed = ['var k={%s:"%s",env:"production"}' % (camel(e["key"]), v),
             'T.init({%s:"%s",debug:!1})' % (camel(e["key"]), v)]
    bare = ['headers:{Authorization:"Bearer %s","Content-Type":"application/json"}' % v,
            'const q=new x.Client("%s")' % v]
    # a value whose format has no prefix is a secret only next to its key
    snippet = R.choice(keyed if e["provider"] in KEYED else keyed + bare)
    at = R.randint(len(frags) // 4, len(frags) - 1)
    frags.insert(at, snippet)
    line = ";".join(frags) + "});"
    emit(f, e, line, "minified JS, %d-char line, token at byte %d" % (len(line), line.index(v)))
    if neg_line:
        p, fr, note = neg_line
        frags = [R.choice(MIN_FRAGS) for _ in range(R.randint(60, 120))]
        frags.insert(R.randint(10, len(frags) - 1), fr)
        f.neg(p, ";".join(frags) + ";", "minified JS: " + note)
    f.fill("//# sourceMappingURL=%s.map" % os.path.basename(path))
    f.save(trailing_newline=False)


# ---- lockfiles and hashes ------------------------------------------------------------

NPM_PKGS = ["react", "react-dom", "lodash", "axios", "express", "debug", "ms", "chalk", "commander", "semver", "uuid",
            "zod", "dayjs", "clsx", "tslib", "yaml", "ws", "cookie", "qs", "mime-types"]


def sri(alg="sha512"):
    n = {"sha512": 64, "sha384": 48, "sha256": 32}[alg]
    return "%s-%s" % (alg, b64(rbytes(n)))


def package_lock(path, n):
    f = F(path)
    f.fill("{", '  "name": "acme-web",', '  "version": "2.14.0",', '  "lockfileVersion": 3,', '  "requires": true,', '  "packages": {',
           '    "": {', '      "name": "acme-web",', '      "version": "2.14.0"', "    },")
    pkgs = R.sample(NPM_PKGS, n)
    for i, name in enumerate(pkgs):
        ver = "%d.%d.%d" % (R.randint(0, 18), R.randint(0, 30), R.randint(0, 20))
        f.fill('    "node_modules/%s": {' % name, '      "version": "%s",' % ver)
        if i % 7 == 3:
            sha = rs(HEX, 40)
            f.neg("git-commit", '      "resolved": "git+ssh://git@github.com/acme/%s.git#%s",' % (name, sha),
                  "git dependency pinned to a commit id", sha)
        else:
            f.fill('      "resolved": "https://registry.npmjs.org/%s/-/%s-%s.tgz",' % (name, name, ver))
        s = sri()
        f.neg("npm-integrity", '      "integrity": "%s",' % s, "sha512 integrity in package-lock.json", s)
        f.fill('      "license": "MIT"', "    }" + ("," if i < len(pkgs) - 1 else ""))
    f.fill("  }", "}")
    f.save()


def yarn_lock(path, n):
    f = F(path)
    f.fill("# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.", "# yarn lockfile v1", "")
    for name in R.sample(NPM_PKGS, n):
        ver = "%d.%d.%d" % (R.randint(0, 18), R.randint(0, 30), R.randint(0, 20))
        sha = rs(HEX, 40)
        f.fill('%s@^%s:' % (name, ver), '  version "%s"' % ver)
        f.neg("git-commit", '  resolved "https://registry.yarnpkg.com/%s/-/%s-%s.tgz#%s"' % (name, name, ver, sha),
              "yarn.lock resolved URL with sha1 fragment", sha)
        s = sri()
        f.neg("npm-integrity", "  integrity %s" % s, "yarn.lock integrity", s)
        f.fill("")
    f.save()


def go_sum(path, n):
    f = F(path)
    mods = ["github.com/google/uuid", "github.com/spf13/cobra", "github.com/stretchr/testify", "golang.org/x/net",
            "golang.org/x/sys", "google.golang.org/grpc", "github.com/prometheus/client_golang", "go.uber.org/zap",
            "github.com/aws/aws-sdk-go-v2", "github.com/jackc/pgx/v5", "gopkg.in/yaml.v3", "github.com/rs/zerolog"]
    for m in mods[:n]:
        ver = "v%d.%d.%d" % (R.randint(0, 2), R.randint(0, 30), R.randint(0, 12))
        h = b64(rbytes(32))
        f.neg("go-sum-hash", "%s %s h1:%s" % (m, ver, h), "go.sum module hash", h)
        f.fill("%s %s/go.mod h1:%s" % (m, ver, b64(rbytes(32))))
    f.save()


def cargo_lock(path, n):
    f = F(path)
    f.fill("# This file is automatically @generated by Cargo.", "# It is not intended for manual editing.", "version = 3", "")
    crates = ["anyhow", "serde", "serde_json", "tokio", "regex", "clap", "rand", "thiserror", "tracing", "bytes", "hyper", "log"]
    for c in crates[:n]:
        h = rs(HEX, 64)
        f.fill("[[package]]", 'name = "%s"' % c, 'version = "%d.%d.%d"' % (R.randint(0, 2), R.randint(0, 200), R.randint(0, 30)),
               'source = "registry+https://github.com/rust-lang/crates.io-index"')
        f.neg("sha256", 'checksum = "%s"' % h, "Cargo.lock checksum", h)
        f.fill("")
    f.save()


def requirements_hashes(path, n):
    f = F(path)
    f.fill("#", "# This file is autogenerated by pip-compile with Python 3.12", "#")
    for name in ["certifi", "charset-normalizer", "idna", "requests", "urllib3", "pydantic", "httpx", "anyio", "sniffio", "click"][:n]:
        f.fill("%s==%d.%d.%d \\" % (name, R.randint(1, 3), R.randint(0, 30), R.randint(0, 9)))
        h = rs(HEX, 64)
        f.neg("sha256", "    --hash=sha256:%s \\" % h, "pip --hash=sha256", h)
        f.fill("    --hash=sha256:%s" % rs(HEX, 64))
    f.save()


def terraform_lock(path):
    f = F(path)
    f.fill("# This file is maintained automatically by \"terraform init\".", "# Manual edits may be lost in future updates.", "")
    for prov in ["hashicorp/aws", "hashicorp/random", "integrations/github"]:
        f.fill('provider "registry.terraform.io/%s" {' % prov, '  version     = "%d.%d.%d"' % (R.randint(3, 5), R.randint(0, 80), R.randint(0, 9)),
               '  constraints = "~> 5.0"', "  hashes = [")
        h = b64(rbytes(32))
        f.neg("go-sum-hash", '    "h1:%s",' % h, "terraform lock h1 hash", h)
        for _ in range(3):
            z = rs(HEX, 64)
            f.neg("sha256", '    "zh:%s",' % z, "terraform lock zh hash", z)
        f.fill("  ]", "}", "")
    f.save()


def lfs_pointer(path):
    f = F(path)
    f.fill("version https://git-lfs.github.com/spec/v1")
    h = rs(HEX, 64)
    f.neg("sha256", "oid sha256:%s" % h, "git LFS pointer oid", h)
    f.fill("size %d" % R.randint(10000, 90000000))
    f.save()


# ---- public keys, certificates ----------------------------------------------------------

def authorized_keys(path, n):
    f = F(path)
    f.fill("# managed by ansible: do not edit")
    for _ in range(n):
        line = ssh_pub()
        if R.random() < 0.3:
            line = 'command="/usr/local/bin/gatehouse-serve %s",no-pty,no-port-forwarding %s' % (R.choice(["alice", "bob", "carol"]), line)
        f.neg("ssh-public-key", line, "SSH public key in authorized_keys")
    f.save()


def known_hosts(path, n):
    f = F(path)
    for _ in range(n):
        host = R.choice(["github.com", "gitlab.com", "bastion.acme.io", "10.0.0.5", "[git.internal]:2222"])
        f.neg("ssh-public-key", "%s %s" % (host, " ".join(ssh_pub().split()[:2])), "SSH host key in known_hosts")
    f.save()


def pem_file(path, kind, provider, lines, note):
    f = F(path)
    f.block(kind, provider, note, lines)
    f.save()


# ---- docs, tests, misc ---------------------------------------------------------------------

def readme(path):
    f = F(path)
    f.fill("# orders-api", "", "Handles checkout and order history.", "", "## Configuration", "",
           "Copy `.env.example` to `.env` and fill in the values:", "", "```sh")
    f.neg("placeholder", "export GITHUB_TOKEN=<your-github-token>", "angle-bracket placeholder in docs")
    f.neg("placeholder", "export STRIPE_SECRET_KEY=sk_live_xxxxxxxxxxxxxxxxxxxxxxxx", "xxx placeholder in docs")
    f.neg("aws-access-key-id", "export AWS_ACCESS_KEY_ID=%s" % AWS_EXAMPLE_ID, "AWS documented example key id")
    f.neg("aws-secret-access-key", "export AWS_SECRET_ACCESS_KEY=%s" % AWS_EXAMPLE_SECRET, "AWS documented example secret")
    f.neg("reference", 'curl -H "Authorization: Bearer $API_TOKEN" https://api.acme.io/v1/orders', "shell variable in docs")
    f.fill("```", "", "Slack notifications need an incoming webhook URL, which looks like", "")
    f.neg("slack-webhook-url", "    %s" % SLACK_DOC_WEBHOOK, "Slack's documented example webhook URL")
    f.fill("", "Personal access tokens have the form `ghp_` followed by 36 letters and digits;")
    f.neg("github-pat", "GitHub shows them once, e.g. `ghp_...`, so store them in the vault right away.", "truncated ghp_... in prose")
    f.fill("", "### Deploy keys", "")
    f.neg("private-key", 'The deploy key file must start with `-----BEGIN OPENSSH PRIVATE KEY-----`; paste the whole file into the CI secret.',
          "the PEM marker quoted in prose, no key")
    f.fill("", "### Local database", "")
    f.neg("connection-string", "Use `postgres://user:password@localhost:5432/mydb` for a local database.", "documentation placeholder URL")
    f.fill("", "## Releasing", "", "Tag `v2.14.0` and push; CI publishes to npm.", "")
    f.save()


def validation_tests(path):
    """Unit tests of a token validator: malformed look-alikes that are not secrets."""
    f = F(path)
    f.fill('"""Tests for acme.tokens.looks_like_token: malformed inputs are rejected."""', "import pytest", "",
           "from acme.tokens import looks_like_token", "", "", "@pytest.mark.parametrize(", '    "malformed",', "    [")
    seen = set()
    while len(seen) < 9:
        p, v, note = wrong_length_value()
        if v in seen:
            continue
        seen.add(v)
        f.neg(p, '        "%s",  # %s' % (v, note), "malformed prefix in a validator test: " + note, v)
    f.fill("    ],", ")", "def test_rejects_malformed(malformed):", "    assert not looks_like_token(malformed)", "")
    f.save()


def validation_tests_js(path):
    f = F(path)
    f.fill("import { describe, it, expect } from 'vitest';", "import { classify } from '../src/tokens';", "",
           "describe('classify', () => {")
    seen = set()
    while len(seen) < 8:
        p, v, note = wrong_length_value()
        if v in seen:
            continue
        seen.add(v)
        f.neg(p, "  it('rejects %s', () => expect(classify('%s')).toBe('invalid'));" % (note.split(" (")[0].replace("'", ""), v),
              "malformed prefix in a JS test: " + note, v)
    f.fill("});")
    f.save()


def identifiers_js(path):
    """Long, random-looking or secret-sounding identifiers that hold no secret."""
    f = F(path)
    items = [
        ("identifier", "export async function refreshAccessTokenIfExpiredBeforeRequest(session) {", "long identifier naming a token"),
        ("identifier", "const SECRET_ROTATION_LAMBDA_FUNCTION_NAME = 'rotate-db-credentials-prod';", "secret-sounding constant naming a function"),
        ("identifier", "const passwordInputSelector = '#login-form input[type=password]';", "CSS selector under a password name"),
        ("identifier", "const tokenStorageKey = 'acme.auth.session.v2';", "storage key name"),
        ("identifier", "export const API_KEY_HEADER_NAME = 'X-Api-Key';", "header name"),
        ("identifier", "const apiKeyRegex = /^[A-Za-z0-9]{32}$/;", "a regex describing keys"),
        ("css-color", "const brandPalette = { primary: '#4f46e5', accent: '#f59e0b', danger: '#dc2626' };", "CSS colors"),
        ("version", "export const SDK_VERSION = '4.12.0-beta.3';", "version string"),
        ("uuid", "const SESSION_NAMESPACE = '%s';" % uuid4(), "UUID namespace constant"),
        ("sha256", "const BUILD_HASH = '%s';" % rs(HEX, 64), "build hash"),
        ("identifier", "const chunkName = 'vendors-node_modules_pnpm_react-dom_18_3_1_react_18_3_1_node_modules_react-dom_client_js';", "webpack chunk name"),
        ("identifier", "const nonceAttribute = 'data-csp-nonce';", "attribute name"),
        ("identifier", "if (user.passwordResetTokenExpiresAt < Date.now()) return redirect('/password/forgot');", "field names"),
        ("stripe-publishable-key", "const stripe = Stripe('pk_live_%s');" % rs(ALNUM, 24), "Stripe publishable key (public by design)"),
        ("sentry-dsn", "Sentry.init({ dsn: 'https://%s@o%s.ingest.sentry.io/%s' });" % (rs(HEX, 32), digits(6), digits(7)), "Sentry DSN (public by design)"),
        ("git-commit", "export const GIT_REVISION = '%s';" % rs(HEX, 40), "git revision"),
        ("identifier", "const AUTH_TOKEN_COOKIE = '__Host-acme_auth';", "cookie name"),
        ("identifier", "const secretsManagerArn = 'arn:aws:secretsmanager:eu-west-1:%s:secret:prod/orders/db-AbC123';" % digits(12), "secret ARN (a name, not the secret)"),
    ]
    f.fill("// auth helpers", "")
    for p, line, note in items:
        f.neg(p, line, note)
        if R.random() < 0.5:
            f.fill(R.choice(JS_FILL))
    f.save()


def css_file(path):
    f = F(path)
    f.fill(":root {")
    for name in ["--brand", "--accent", "--muted", "--danger", "--success"]:
        c = "#" + rs(HEX, 6)
        f.neg("css-color", "  %s: %s;" % (name, c), "CSS color", c)
    f.fill("}", "", ".logo {", "  width: 32px;")
    img = b64(b"\x89PNG\r\n\x1a\n" + rbytes(1500))
    f.neg("base64-image", "  background-image: url(data:image/png;base64,%s);" % img, "base64 PNG in CSS")
    f.fill("}", "", "@font-face {", "  font-family: 'Inter';")
    font = b64(b"wOF2" + rbytes(2000))
    f.neg("base64-font", "  src: url(data:font/woff2;base64,%s) format('woff2');" % font, "base64 font in CSS")
    f.fill("}", "", ".icon-check {")
    svg = b64(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="M9 16.2 4.8 12l-1.4 1.4L9 19 21 7l-1.4-1.4z"/></svg>')
    f.neg("base64-image", '  background: url("data:image/svg+xml;base64,%s") no-repeat;' % svg, "base64 SVG in CSS")
    f.fill("}")
    f.save()


def html_file(path):
    f = F(path)
    f.fill("<!doctype html>", '<html lang="en">', "<head>", '  <meta charset="utf-8">', "  <title>Acme</title>")
    s = sri("sha384")
    f.neg("sri-hash", '  <script src="https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/js/bootstrap.bundle.min.js" integrity="%s" crossorigin="anonymous"></script>' % s,
          "subresource integrity sha384", s)
    s = sri("sha384")
    f.neg("sri-hash", '  <link rel="stylesheet" href="/static/app.css" integrity="%s">' % s, "subresource integrity sha384", s)
    nonce = b64(rbytes(16))
    f.neg("csp-nonce", '  <script nonce="%s">window.__APP__ = { version: "2.14.0" };</script>' % nonce, "per-response CSP nonce in a template snapshot", nonce)
    f.fill("</head>", "<body>")
    img = b64(b"\x89PNG\r\n\x1a\n" + rbytes(900))
    f.neg("base64-image", '  <img alt="logo" src="data:image/png;base64,%s">' % img, "base64 PNG in an img tag")
    site = "6L" + rs(B64URL, 38)
    f.neg("recaptcha-site-key", '  <div class="g-recaptcha" data-sitekey="%s"></div>' % site, "reCAPTCHA site key (public by design)", site)
    f.fill("</body>", "</html>")
    f.save()


def jwks_json(path):
    f = F(path)
    f.fill("{", '  "keys": [')
    for i in range(2):
        kid = rs(B64URL, 22)
        f.fill("    {", '      "kty": "RSA",', '      "use": "sig",', '      "alg": "RS256",')
        f.neg("jwks-kid", '      "kid": "%s",' % kid, "JWKS key id", kid)
        n = b64url(rbytes(256))
        f.neg("public-key", '      "n": "%s",' % n, "RSA public modulus in a JWKS", n)
        f.fill('      "e": "AQAB"', "    }" + ("," if i == 0 else ""))
    f.fill("  ]", "}")
    f.save()


def http_file(path):
    """REST-client requests with bearer JWTs and tokens."""
    f = F(path)
    f.fill("### list orders", "GET https://api.acme.io/v1/orders?limit=20")
    v = token("jwt")
    f.pos("jwt", "Authorization: Bearer %s" % v, "JWT in an Authorization header (.http file)", v)
    f.fill("Accept: application/json", "", "### create webhook", "POST https://api.acme.io/v1/webhooks", "Content-Type: application/json")
    v = token("github-pat")
    f.pos("github-pat", "Authorization: token %s" % v, "GitHub token in an Authorization header", v)
    f.fill("", '{ "url": "https://hooks.acme.io/orders", "events": ["order.created"] }', "", "### local dev")
    f.neg("reference", "Authorization: Bearer {{token}}", "REST-client variable")
    f.fill("GET http://localhost:8080/healthz", "", "### admin")
    v = token("jwt")
    f.pos("jwt", "Authorization: Bearer %s" % v, "JWT in an Authorization header (.http file)", v)
    f.fill("GET https://api.acme.io/v1/admin/users", "", "### partner API")
    v = token("openai-api-key")
    f.pos("openai-api-key", "Authorization: Bearer %s" % v, "Bearer token in an Authorization header", v)
    f.fill("POST https://api.openai.com/v1/chat/completions")
    f.save()


def npmrc(path):
    f = F(path)
    f.fill("registry=https://registry.npmjs.org/", "save-exact=true")
    v = token("npm-token")
    f.pos("npm-token", "//registry.npmjs.org/:_authToken=%s" % v, ".npmrc _authToken", v)
    f.neg("reference", "//npm.pkg.github.com/:_authToken=${GITHUB_TOKEN}", ".npmrc token from the environment")
    f.fill("@acme:registry=https://npm.pkg.github.com/")
    f.save()


def pypirc(path):
    f = F(path)
    f.fill("[distutils]", "index-servers =", "    pypi", "    internal", "", "[pypi]", "username = __token__")
    v = token("pypi-token")
    f.pos("pypi-token", "password = %s" % v, ".pypirc password is a PyPI API token", v)
    f.fill("", "[internal]", "repository = https://pypi.internal.acme.io/simple/", "username = ci-publisher")
    pw = unique(password)
    f.pos("generic-password", "password = %s" % pw, ".pypirc password", pw)
    f.save()


def netrc(path):
    f = F(path)
    v = token("github-pat")
    f.fill("machine github.com", "  login acme-ci")
    f.pos("github-pat", "  password %s" % v, ".netrc password (a GitHub token)", v)
    f.fill("machine api.heroku.com", "  login ops@acme.io")
    v = token("heroku-api-key")
    f.pos("heroku-api-key", "  password %s" % v, ".netrc password (a Heroku API key)", v)
    f.save()


def pem_embedded_py(path):
    f = F(path)
    f.fill('"""Fixtures for the signing tests."""', "", "SIGNING_KEY = \"\"\"\\")
    f.block("positive", "private-key", "EC private key in a Python triple-quoted string", private_key_pem("EC"))
    f.fill('"""', "", "CA_CERT = \"\"\"\\")
    f.block("negative", "certificate", "certificate in a Python string", cert_pem())
    f.fill('"""', "", "")
    f.neg("private-key", 'if pem.startswith("-----BEGIN RSA PRIVATE KEY-----"):', "code testing for the PEM marker, no key")
    f.fill("    key_type = \"pkcs1\"", "")
    f.save()


def pem_in_tf(path):
    f = F(path)
    f.fill('resource "tls_self_signed_cert" "ca" {', "  # key generated offline and committed by mistake", "  private_key_pem = <<-EOT")
    f.block("positive", "private-key", "RSA private key in a Terraform heredoc", ["    " + l for l in private_key_pem("RSA")])
    f.fill("  EOT", '  validity_period_hours = 8760', "}", "", 'resource "aws_key_pair" "deployer" {', '  key_name   = "deployer"')
    pub = ssh_pub("ed25519", "deployer")
    f.neg("ssh-public-key", '  public_key = "%s"' % pub, "SSH public key in aws_key_pair")
    f.fill("}", "", 'data "aws_ssm_parameter" "admin_password" {', '  name = "/prod/mysql/admin_password"', "}", "",
           'provider "mysql" {', '  endpoint = "mysql.internal:3306"', '  username = "admin"')
    f.neg("reference", "  admin_password = data.aws_ssm_parameter.admin_password.value",
          "Terraform reference to an SSM parameter")
    f.fill("}")
    f.save()


def env_with_pem(path):
    f = F(path)
    f.fill("# GitHub App credentials", "GITHUB_APP_ID=%s" % digits(6))
    pem = "\\n".join(private_key_pem("RSA")) + "\\n"
    f.pos("private-key", 'GITHUB_APP_PRIVATE_KEY="%s"' % pem, "RSA private key on one line with \\n escapes in .env")
    f.fill("GITHUB_APP_INSTALLATION_ID=%s" % digits(8))
    v = token("github-app-token")
    f.pos("github-app-token", "GITHUB_INSTALLATION_TOKEN=%s" % v, "installation token in .env", v)
    f.save()


def ansible_vars(path):
    f = F(path)
    f.fill("---", "# group_vars/web.yml", "nginx_worker_processes: auto", "deploy_user: deploy")
    f.neg("reference", "db_password: \"{{ vault_db_password }}\"", "Ansible reference to a vaulted variable")
    f.fill("deploy_ssh_key: |")
    f.block("positive", "private-key", "OpenSSH private key in an Ansible variable", ["  " + l for l in private_key_pem("OPENSSH")])
    f.fill("ssl_certificate: |")
    f.block("negative", "certificate", "certificate in an Ansible variable", ["  " + l for l in cert_pem()])
    f.neg("vault-encrypted", "api_secret: !vault |", "Ansible-vault encrypted value follows")
    f.fill("  $ANSIBLE_VAULT;1.1;AES256")
    for _ in range(4):
        f.fill("  " + rs("0123456789", 2) + rs(HEX, 78))
    f.save()


# ---- more places secrets end up ------------------------------------------------------------

def git_credentials(path):
    f = F(path)
    for host, p in [("github.com", "github-pat"), ("gitlab.com", "gitlab-pat"), ("github.com", "github-fine-grained-pat")]:
        if p not in COVERED:
            continue
        v = token(p)
        f.pos(p, "https://%s:%s@%s" % (R.choice(["acme-bot", "oauth2", "x-access-token"]), v, host), ".git-credentials URL with a token", v)
    f.neg("connection-string", "https://acme-bot@bitbucket.org", ".git-credentials entry without a password")
    f.save()


def token_file(path, provider):
    """A file holding nothing but the token (gh's hosts token, ~/.vault-token...)."""
    f = F(path)
    v = token(provider)
    f.pos(provider, v, "bare token alone in a file, no key", v)
    f.save()


def runbook_md(path):
    f = F(path)
    f.fill("# Incident runbook: payments webhook", "", "1. Check the webhook deliveries:", "", "```sh")
    for p in ["stripe-secret-key", "github-pat", "slack-bot-token", "sendgrid-api-key"]:
        if p not in COVERED:
            continue
        v = token(p)
        f.pos(p, 'curl -s -H "Authorization: Bearer %s" https://%s/v1/events | jq .' % (v, R.choice(HOSTS)),
              "token pasted into a runbook's code block", v)
        f.fill("```", "", "%d. Then look at the dashboard." % R.randint(2, 5), "", "```sh")
    f.neg("reference", 'curl -s -u "$STRIPE_SECRET_KEY:" https://api.stripe.com/v1/events', "shell variable in docs")
    f.neg("placeholder", "export SLACK_BOT_TOKEN=xoxb-your-token", "placeholder in docs")
    f.neg("aws-access-key-id", "aws configure set aws_access_key_id %s" % AWS_EXAMPLE_ID, "AWS documented example key id")
    f.fill("```", "", "Escalate to #payments-oncall.")
    f.save()


def app_log(path):
    f = F(path)
    lines = []
    for i in range(14):
        ts = "2026-03-0%dT1%d:%02d:%02d.%03dZ" % (R.randint(1, 9), R.randint(0, 9), R.randint(0, 59), R.randint(0, 59), R.randint(0, 999))
        lines.append(ts)
    lines.sort()
    plan = ["fill", "pos-jwt", "neg-uuid", "fill", "pos-bearer", "neg-sha", "fill", "pos-url", "neg-trace", "fill",
            "pos-bearer", "neg-mask", "fill", "neg-commit"]
    for ts, what in zip(lines, plan):
        rid = uuid4()
        if what == "fill":
            f.fill('%s INFO  http.server request_id=%s method=GET path=/healthz status=200 dur_ms=%d' % (ts, rid, R.randint(1, 9)))
        elif what == "pos-jwt":
            v = token("jwt")
            f.pos("jwt", "%s DEBUG http.client outgoing headers={'Authorization': 'Bearer %s', 'Accept': 'application/json'}" % (ts, v),
                  "JWT leaked in a debug log line", v)
        elif what == "pos-bearer":
            p = R.choice([q for q in ["openai-api-key", "github-pat", "stripe-secret-key", "slack-bot-token", "anthropic-api-key"] if q in COVERED])
            v = token(p)
            f.pos(p, '%s WARN  retry attempt=2 curl -H "Authorization: Bearer %s" https://%s/v1/jobs' % (ts, v, R.choice(HOSTS)),
                  "token leaked in a logged command", v)
        elif what == "pos-url":
            p, u = conn_url()
            f.pos(p, "%s ERROR db.pool could not connect to %s: connection refused" % (ts, u), "connection URL leaked in an error log", u)
        elif what == "neg-uuid":
            f.neg("uuid", "%s INFO  orders.created order_id=%s customer_id=%s" % (ts, uuid4(), uuid4()), "UUIDs in a log line")
        elif what == "neg-sha":
            h = rs(HEX, 64)
            f.neg("sha256", "%s INFO  artifact.uploaded sha256=%s size=%d" % (ts, h, R.randint(1000, 999999)), "sha256 in a log line", h)
        elif what == "neg-trace":
            f.neg("trace-id", "%s INFO  tracing trace_id=%s span_id=%s" % (ts, rs(HEX, 32), rs(HEX, 16)), "trace and span ids")
        elif what == "neg-mask":
            f.neg("placeholder", "%s DEBUG http.client outgoing headers={'Authorization': 'Bearer ****', 'X-Api-Key': '[REDACTED]'}" % ts,
                  "masked credentials in a log line")
        elif what == "neg-commit":
            h = rs(HEX, 40)
            f.neg("git-commit", "%s INFO  app.start version=2.14.0 commit=%s" % (ts, h), "git commit id in a log line", h)
    f.save()


def maven_settings(path):
    f = F(path)
    f.fill('<?xml version="1.0" encoding="UTF-8"?>', '<settings xmlns="http://maven.apache.org/SETTINGS/1.2.0">', "  <servers>")
    for sid, kind in [("nexus-releases", "pos"), ("nexus-snapshots", "neg"), ("github", "gh"), ("central", "neg2")]:
        f.fill("    <server>", "      <id>%s</id>" % sid, "      <username>ci-deployer</username>")
        if kind == "pos":
            pw = unique(password)
            f.pos("generic-password", "      <password>%s</password>" % pw, "Maven settings.xml <password>", pw)
        elif kind == "gh" and "github-pat" in COVERED:
            v = token("github-pat")
            f.pos("github-pat", "      <password>%s</password>" % v, "GitHub token as Maven <password>", v)
        elif kind == "neg":
            f.neg("reference", "      <password>${env.NEXUS_PASSWORD}</password>", "Maven property reference")
        else:
            f.neg("maven-encrypted", "      <password>{%s=}</password>" % b64(rbytes(32))[:-1], "Maven master-password-encrypted value")
        f.fill("    </server>")
    f.fill("  </servers>", "</settings>")
    f.save()


def wp_config(path):
    f = F(path)
    f.fill("<?php", "/** The name of the database for WordPress */", "define( 'DB_NAME', 'wordpress' );", "define( 'DB_USER', 'wp_prod' );")
    pw = unique(password)
    f.pos("generic-password", "define( 'DB_PASSWORD', '%s' );" % pw, "PHP define() of a database password", pw)
    f.fill("define( 'DB_HOST', 'mysql.internal' );", "", "/**#@+", " * Authentication unique keys and salts.", " */")
    for name in ["AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY"]:
        salt = unique(lambda: rs(ALNUM + "!#%()*+,-./:;=?@[]^_{|}~", 64))
        f.pos("wordpress-salt", "define( '%s', '%s' );" % (name, salt), "WordPress salt (64 random chars)", salt)
    f.neg("placeholder", "define( 'NONCE_KEY',        'put your unique phrase here' );", "WordPress's shipped placeholder salt")
    f.neg("reference", "define( 'AUTH_SALT', getenv('WP_AUTH_SALT') );", "PHP getenv")
    f.fill("", "$table_prefix = 'wp_';", "define( 'WP_DEBUG', false );")
    f.save()


def gradle_properties(path):
    f = F(path)
    f.fill("org.gradle.jvmargs=-Xmx2g -Dfile.encoding=UTF-8", "org.gradle.parallel=true", "kotlin.code.style=official")
    pw = unique(password)
    f.pos("generic-password", "signing.password=%s" % pw, "gradle.properties signing password", pw)
    f.fill("signing.keyId=%s" % rs(UHEX, 8))
    f.neg("placeholder", "signing.secretKeyRingFile=/home/ci/.gnupg/secring.gpg", "a path, not a secret")
    pw = unique(password)
    f.pos("generic-password", "mavenCentralPassword=%s" % pw, "gradle.properties repository password", pw)
    f.neg("reference", "githubPackagesToken=${GITHUB_TOKEN}", "reference to the environment")
    f.save()


def aws_credentials(path):
    """~/.aws/credentials: key id and secret key pairs per profile."""
    f = F(path)
    f.fill("[default]")
    f.neg("aws-access-key-id", "aws_access_key_id = %s" % AWS_EXAMPLE_ID, "AWS documented example key id")
    f.neg("aws-secret-access-key", "aws_secret_access_key = %s" % AWS_EXAMPLE_SECRET, "AWS documented example secret key")
    for profile in ["prod-deployer", "ci", "backup-s3"]:
        f.fill("", "[%s]" % profile)
        v = token("aws-access-key-id")
        f.pos("aws-access-key-id", "aws_access_key_id = %s" % v, "~/.aws/credentials key id", v)
        v = token("aws-secret-access-key")
        f.pos("aws-secret-access-key", "aws_secret_access_key = %s" % v, "~/.aws/credentials secret key", v)
        if profile == "ci":
            v = unique(lambda: "IQoJb3JpZ2luX2VjE" + rs(B64, 300))
            f.pos("aws-session-token", "aws_session_token = %s" % v, "~/.aws/credentials STS session token", v)
        f.fill("region = %s" % R.choice(["eu-west-1", "us-east-1"]))
    f.fill("", "[sso-dev]", "sso_start_url = https://acme.awsapps.com/start", "sso_region = eu-west-1")
    aid = digits(12)
    f.neg("cloud-id", "sso_account_id = %s" % aid, "AWS account id", aid)
    f.fill("sso_role_name = Developer")
    f.save()


def docker_config(path):
    f = F(path)
    f.fill("{", '  "auths": {')
    auth = b64(("ci-deployer:%s" % unique(password)).encode())
    f.fill('    "registry.acme.io": {')
    f.pos("docker-config-auth", '      "auth": "%s"' % auth, "Docker config.json auth (base64 user:password)", auth)
    f.fill("    },", '    "https://index.docker.io/v1/": {')
    auth = b64(("acmebot:%s" % token("dockerhub-pat")).encode())
    f.pos("docker-config-auth", '      "auth": "%s"' % auth, "Docker config.json auth (base64 user:token)", auth)
    f.fill("    },", '    "ghcr.io": {}')
    f.fill("  },")
    f.neg("reference", '  "credsStore": "desktop",', "credential helper, no credential")
    f.fill('  "credHelpers": {')
    aid = digits(12)
    f.neg("cloud-id", '    "%s.dkr.ecr.eu-west-1.amazonaws.com": "ecr-login"' % aid, "ECR registry host with an account id", aid)
    f.fill("  }", "}")
    f.save()


def npmrc_auth(path):
    f = F(path)
    f.fill("registry=https://nexus.internal/repository/npm-group/", "always-auth=true")
    v = b64(("ci:%s" % unique(password)).encode())
    f.pos("npmrc-auth-token", "//nexus.internal/repository/npm-group/:_auth=%s" % v, ".npmrc _auth (base64 user:password)", v)
    v = b64(unique(password).encode())
    f.fill("//artifacts.acme.io/api/npm/npm/:username=ci-publisher")
    f.pos("npmrc-auth-token", "//artifacts.acme.io/api/npm/npm/:_password=%s" % v, ".npmrc _password (base64)", v)
    f.fill("//artifacts.acme.io/api/npm/npm/:email=ci@acme.io")
    f.neg("reference", "//npm.pkg.github.com/:_authToken=${NODE_AUTH_TOKEN}", "token from the environment")
    f.save()


def kubeconfig(path):
    f = F(path)
    f.fill("apiVersion: v1", "kind: Config", "clusters:", "- cluster:")
    ca = b64(("\n".join(cert_pem()) + "\n").encode())
    f.neg("certificate", "    certificate-authority-data: %s" % ca, "cluster CA certificate (public)")
    f.fill("    server: https://10.0.0.10:6443", "  name: prod", "contexts:", "- context:", "    cluster: prod", "    user: admin", "  name: prod",
           "current-context: prod", "users:", "- name: admin", "  user:")
    crt = b64(("\n".join(cert_pem()) + "\n").encode())
    f.neg("certificate", "    client-certificate-data: %s" % crt, "client certificate (public)")
    key = kubeconfig_key()
    f.pos("kubeconfig-client-key", "    client-key-data: %s" % key, "client private key in a kubeconfig", key)
    f.fill("- name: ci-bot", "  user:")
    v = token("jwt")
    f.pos("jwt", "    token: %s" % v, "service-account JWT in a kubeconfig", v)
    f.save()


def kubeadm_join(path):
    f = F(path)
    f.fill("#!/usr/bin/env bash", "# join a worker to the cluster (printed by kubeadm token create --print-join-command)", "set -euo pipefail")
    tok = unique(lambda: rs(LOWER_ALNUM, 6) + "." + rs(LOWER_ALNUM, 16))
    ca = rs(HEX, 64)
    f.pos("kubernetes-bootstrap-token", "kubeadm join 10.0.0.10:6443 --token %s --discovery-token-ca-cert-hash sha256:%s" % (tok, ca),
          "kubeadm join --token", tok)
    f.fill("", "cat > /etc/kubernetes/kubeadm-join.yaml <<EOF", "apiVersion: kubeadm.k8s.io/v1beta3", "kind: JoinConfiguration",
           "discovery:", "  bootstrapToken:", "    apiServerEndpoint: 10.0.0.10:6443")
    tok = unique(lambda: rs(LOWER_ALNUM, 6) + "." + rs(LOWER_ALNUM, 16))
    f.pos("kubernetes-bootstrap-token", "    token: %s" % tok, "kubeadm config bootstrap token", tok)
    f.neg("sha256", "    caCertHashes: [\"sha256:%s\"]" % rs(HEX, 64), "CA certificate hash")
    f.fill("EOF", "", "# the kubeadm docs use this shape in every example:")
    f.neg("kubernetes-bootstrap-token", "#   kubeadm join --token abcdef.0123456789abcdef 10.0.0.10:6443", "kubeadm's documented example token")
    f.save()


def putty_key(path):
    f = F(path)
    body = b64(sshstr(b"ssh-ed25519") + sshstr(rbytes(32)))
    f.pos("putty-private-key", "PuTTY-User-Key-File-3: ssh-ed25519", "PuTTY PPK v3 header")
    f.fill("Encryption: none", "Comment: deploy@ci", "Public-Lines: 2", *wrap(body), "Private-Lines: 1",
           *wrap(b64(sshstr(rbytes(32)))), "Private-MAC: %s" % rs(HEX, 64))
    f.save()


def openvpn_key(path):
    f = F(path)
    f.fill("#", "# 2048 bit OpenVPN static key", "#")
    f.block("positive", "openvpn-static-key", "OpenVPN static key",
            ["-----BEGIN OpenVPN Static key V1-----"] + [rs(HEX, 32) for _ in range(16)] + ["-----END OpenVPN Static key V1-----"])
    f.save()


def azure_strings(path):
    f = F(path)
    f.fill("# Azure connection settings for the order pipeline", "")
    key = unique(lambda: b64(rbytes(32)))
    f.pos("azure-shared-access-key",
          'SERVICEBUS_CONNECTION="Endpoint=sb://acme-orders.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=%s"' % key,
          "Service Bus connection string SharedAccessKey", key)
    key = unique(lambda: b64(rbytes(32)))
    f.pos("azure-shared-access-key",
          'IOTHUB_CONNECTION="HostName=acme-iot.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=%s"' % key,
          "IoT Hub connection string SharedAccessKey", key)
    sig = unique(lambda: b64(rbytes(32)).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D"))
    url = ("https://acmeexports.blob.core.windows.net/reports/q3.csv?sv=2022-11-02&ss=b&srt=o&sp=r&se=2026-12-31T23:59:59Z"
           "&st=2026-01-01T00:00:00Z&spr=https&sig=%s" % sig)
    f.pos("azure-sas-token", "REPORTS_SAS_URL=%s" % url, "Azure SAS URL with sig=", sig)
    acct = R.choice(["acmeprodstore", "ordersblob01"])
    key = unique(KEYED["azure-storage-account-key"][0])
    f.pos("azure-storage-account-key",
          "AZURE_STORAGE_CONNECTION_STRING=DefaultEndpointsProtocol=https;AccountName=%s;AccountKey=%s;EndpointSuffix=core.windows.net" % (acct, key),
          "Azure Storage connection string AccountKey", key)
    f.neg("connection-string", "AZURE_STORAGE_CONNECTION_STRING_DEV=UseDevelopmentStorage=true", "Azurite development storage, no key")
    f.neg("azure-storage-account-key",
          "AZURITE_CONNECTION=DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=%s;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;"
          % "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
          "Azurite's published well-known development key")
    sid = rs(HEX, 32)
    tok = unique(lambda: rs(HEX, 32))
    f.pos("twilio-auth-token", "TWILIO_CREDENTIALS=AC%s:%s" % (sid, tok), "Twilio account SID:auth token pair", tok)
    f.neg("twilio-account-sid", "TWILIO_ACCOUNT_SID=AC%s" % rs(HEX, 32), "Twilio account SID alone is an identifier")
    pw = unique(password)
    f.pos("mssql-connection-string", "MSSQL_URL=sqlserver://sa_app:%s@sql.internal:1433/orders" % pw, "SQL Server URL with a password", pw)
    pw = unique(password)
    f.pos("jdbc-connection-string", "JDBC_URL=jdbc:postgresql://db.internal:5432/orders?user=orders_app&password=%s&ssl=true" % pw,
          "JDBC URL with password=", pw)
    pw = unique(password)
    f.pos("jdbc-connection-string", "REPORTING_JDBC_URL=jdbc:sqlserver://sql.internal:1433;databaseName=reports;user=rpt;password=%s;encrypt=true" % pw,
          "JDBC SQL Server URL with password=", pw)
    f.neg("connection-string", "JDBC_URL_TEMPLATE=jdbc:postgresql://db.internal:5432/orders?user=orders_app&password=${DB_PASSWORD}",
          "JDBC URL with the password from the environment")
    f.save()


def k8s_deployment(path):
    """A Deployment that takes its secrets from Secrets, the way it should: all look-alikes."""
    f = F(path)
    f.fill("apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: orders-api", "  namespace: payments", "spec:",
           "  replicas: 3", "  selector:", "    matchLabels:", "      app: orders-api", "  template:", "    metadata:", "      labels:",
           "        app: orders-api", "      annotations:")
    h = rs(HEX, 64)
    f.neg("sha256", "        checksum/config: %s" % h, "Helm config checksum annotation", h)
    f.fill("    spec:", "      imagePullSecrets:")
    f.neg("config-value", "        - name: regcred-ghcr-2024", "name of an image pull Secret")
    f.fill("      containers:", "        - name: api")
    d = rs(HEX, 64)
    f.neg("sha256", "          image: ghcr.io/acme/orders@sha256:%s" % d, "image pinned by digest", d)
    f.fill("          envFrom:", "            - secretRef:")
    f.neg("config-value", "                name: orders-api-secrets-v3", "name of a Secret in envFrom")
    f.fill("          env:")
    for var, secret, key in [("DB_PASSWORD", "orders-db-credentials-2024", "password"), ("STRIPE_SECRET_KEY", "stripe-live-keys-v2", "secret-key"),
                             ("GITHUB_TOKEN", "ci-github-app-token", "token")]:
        f.fill("            - name: %s" % var, "              valueFrom:", "                secretKeyRef:")
        f.neg("config-value", "                  name: %s" % secret, "secretKeyRef name")
        f.neg("config-value", "                  key: %s" % key, "secretKeyRef key")
    f.fill("            - name: API_KEY_HEADER", "              value: X-Api-Key", "          volumeMounts:", "            - name: tls",
           "              mountPath: /etc/tls", "              readOnly: true", "      volumes:", "        - name: tls", "          secret:")
    f.neg("config-value", "            secretName: orders-api-tls-2024", "secretName of a TLS Secret")
    f.fill("        - name: creds", "          csi:", "            driver: secrets-store.csi.k8s.io", "            volumeAttributes:")
    f.neg("config-value", "              secretProviderClass: orders-vault-secrets-v2", "CSI secret provider class")
    f.save()


def dockerfile_secrets_done_right(path):
    f = F(path)
    f.fill("# syntax=docker/dockerfile:1.7", "FROM node:20-bookworm-slim AS deps", "WORKDIR /app")
    f.neg("reference", "ARG NPM_TOKEN", "ARG without a value")
    f.neg("reference", "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci --omit=dev", "BuildKit secret mount")
    f.neg("reference", 'RUN --mount=type=secret,id=github_token GITHUB_TOKEN="$(cat /run/secrets/github_token)" ./scripts/fetch-private-deps.sh',
          "BuildKit secret read at build time")
    f.fill("FROM gcr.io/distroless/nodejs20-debian12", "COPY --from=deps /app /app")
    f.neg("reference", "ENV DATABASE_URL=postgres://orders@db:5432/orders", "URL without a password")
    f.fill('CMD ["server.js"]')
    f.save()


# ---- the whole corpus ----------------------------------------------------------------------

def main():
    # the providers most often leaked come round more often
    weight = {"aws-access-key-id": 3, "github-pat": 3, "slack-bot-token": 2, "stripe-secret-key": 2, "google-api-key": 2,
              "openai-api-key": 2, "gitlab-pat": 2, "npm-token": 2, "jwt": 2, "slack-webhook-url": 2,
              "aws-secret-access-key": 2, "generic-password": 3, "generic-secret": 2}
    PREFIXED.items = [p for p in COVERED if p in PROVIDERS for _ in range(weight.get(p, 1))]
    KEYEDROT.items = [p for p in COVERED if p in KEYED for _ in range(weight.get(p, 1))]

    # .env files
    env_file("env/.env", 10, 9)
    env_file("env/.env.production", 12, 10, head=("# production: loaded by systemd EnvironmentFile=",))
    env_file("env/.env.staging", 9, 10)
    env_file("env/.env.local", 6, 10, head=("# local overrides (git-ignored in most clones)",))
    env_file("env/config.env", 10, 8)
    env_file("env/.env.ci", 8, 8, head=("# CI variables",))
    env_urls("env/urls.env", 12, 10)
    env_with_pem("env/github-app.env")

    # YAML
    k8s_secret("k8s/app-secrets.yaml", [("orders-secrets", 8, 5), ("worker-secrets", 6, 5)])
    k8s_secret("k8s/payments-secret.yaml", [("payments-api", 9, 7)])
    k8s_secret("k8s/ci-secrets.yaml", [("ci-tokens", 7, 5), ("registry-creds", 4, 4)])
    k8s_tls_secret("k8s/ingress-tls.yaml")
    compose_file("compose/docker-compose.yml", [("api", "ghcr.io/acme/orders:1.27.3", 6, 5, "list"),
                                                ("worker", "ghcr.io/acme/orders-worker:1.27.3", 5, 4, "map"),
                                                ("db", "postgres:16-alpine", 1, 3, "map")])
    compose_file("compose/docker-compose.staging.yml", [("web", "ghcr.io/acme/web:2.14.0", 5, 5, "map"),
                                                        ("notifier", "ghcr.io/acme/notifier:0.9.1", 5, 4, "list")])
    gha_workflow(".github/workflows/deploy.yml", 6, 6)
    gha_workflow(".github/workflows/release.yml", 5, 6)
    gha_workflow(".github/workflows/nightly.yml", 4, 5)
    helm_values("helm/values.yaml", [("slack", 3, 3), ("payments", 4, 3), ("observability", 4, 3)])
    helm_values("helm/values-prod.yaml", [("integrations", 6, 4), ("registry", 3, 3)])
    database_yml("config/database.yml")
    ansible_vars("ansible/group_vars/web.yml")

    # JSON
    json_config("config/app.json", [("github", 3, 2), ("payments", 4, 3), ("notifications", 4, 3)],
                {"name": "orders-api", "port": 8080, "logLevel": "info"})
    json_config("config/integrations.json", [("ai", 5, 3), ("crm", 4, 4), ("analytics", 3, 4)],
                {"version": 3, "region": "eu-west-1"})
    json_config("config/settings.json", [("deploy", 4, 4), ("storage", 3, 3)], {"env": "production", "features": {"newCheckout": True}})
    appsettings_json("config/appsettings.json")
    service_account_json("config/service-account.json", "acme-prod-%s" % digits(6))
    service_account_json("config/gcp-ci-sa.json", "acme-ci-%s" % digits(6))
    service_account_json("config/firebase-admin.json", "acme-web-%s" % digits(6))
    jwks_json("config/jwks.json")

    # code
    python_file("src/python/settings.py", 8, 7)
    python_file("src/python/clients.py", 8, 7, doc="API clients.")
    python_file("src/python/tasks.py", 7, 7, doc="Background tasks.")
    python_file("src/python/notify.py", 6, 6, doc="Notifications.")
    pem_embedded_py("src/python/fixtures_keys.py")
    validation_tests("src/python/test_tokens.py")
    js_file("src/js/config.js", 8, 7)
    js_file("src/js/api.js", 7, 7)
    js_file("src/ts/billing.ts", 7, 6, ts=True)
    js_file("src/ts/notify.ts", 6, 6, ts=True)
    identifiers_js("src/js/auth.js")
    validation_tests_js("src/js/tokens.test.js")
    go_file("src/go/config.go", 7, 6)
    go_file("src/go/client.go", 7, 6)
    go_file("src/go/deploy.go", 5, 5)
    java_file("src/java/AppConfig.java", 6, 5, "AppConfig")
    java_file("src/java/PaymentConfig.java", 6, 5, "PaymentConfig")
    properties_file("src/java/application.properties", 7, 6)
    properties_file("src/java/application-prod.properties", 6, 6)
    ruby_file("src/ruby/initializers.rb", 7, 6)
    ruby_file("src/ruby/jobs.rb", 6, 6)
    shell_file("scripts/deploy.sh", 7, 6)
    shell_file("scripts/release.sh", 6, 6)
    shell_file("scripts/bootstrap.sh", 6, 5)

    # Terraform
    tf_file("terraform/providers.tf", 7, 5)
    tf_file("terraform/secrets.tf", 7, 6)
    tfvars_file("terraform/prod.tfvars", 6, 5)
    pem_in_tf("terraform/ca.tf")
    terraform_lock("terraform/.terraform.lock.hcl")

    # INI, properties, TOML, dotfiles, Docker
    ini_file("ini/config.ini", [("database", 3, 3), ("stripe", 3, 2), ("notifications", 3, 3)])
    ini_file("ini/app.cfg", [("auth", 3, 3), ("storage", 3, 3)])
    toml_file("ini/settings.toml", [("api", 4, 3), ("deploy", 4, 3)])
    toml_file("ini/secrets.toml", [("providers", 5, 4)])
    npmrc("dotfiles/.npmrc")
    pypirc("dotfiles/.pypirc")
    netrc("dotfiles/.netrc")
    dockerfile("docker/Dockerfile", 5, 4)
    dockerfile("docker/Dockerfile.worker", 5, 4, base="python:3.12-slim")
    dockerfile("docker/Dockerfile.ci", 4, 4, base="golang:1.23-bookworm")
    http_file("api/requests.http")

    # minified bundles: one token on a very long line; some with a look-alike line too
    neg_lines = [("stripe-publishable-key", 'Stripe("pk_live_%s")' % rs(ALNUM, 24), "Stripe publishable key"),
                 ("base64-image", 'var I="data:image/png;base64,%s"' % b64(b"\x89PNG\r\n\x1a\n" + rbytes(600)), "base64 PNG"),
                 ("sri-hash", 'o.integrity="%s"' % sri("sha384"), "integrity hash"),
                 ("uuid", 'var D="%s"' % uuid4(), "UUID"),
                 None, None, None, None]
    for i in range(8):
        p, K, v = next_positive()
        e = dict(kind="positive", provider=p, key=K, value=v, raw=False, note="")
        minified("dist/%s.min.js" % ["app", "vendor", "checkout", "admin", "widget", "chunk-3f9a", "sdk", "embed"][i], e, neg_lines[i])

    # keys and certificates
    pem_file("keys/id_rsa", "positive", "private-key", private_key_pem("RSA"), "RSA private key (PKCS#1)")
    pem_file("keys/id_ed25519", "positive", "private-key", private_key_pem("OPENSSH"), "OpenSSH private key")
    pem_file("keys/deploy_key", "positive", "private-key", private_key_pem("OPENSSH"), "OpenSSH private key")
    pem_file("keys/server.key", "positive", "private-key", private_key_pem("PKCS8"), "PKCS#8 private key")
    pem_file("keys/ec.pem", "positive", "private-key", private_key_pem("EC"), "EC private key")
    pem_file("keys/dsa.pem", "positive", "private-key", private_key_pem("DSA"), "DSA private key")
    pem_file("keys/encrypted.pem", "positive", "private-key", private_key_pem("ENCRYPTED"), "encrypted PKCS#8 private key")
    pem_file("keys/legacy-encrypted.pem", "positive", "private-key", legacy_encrypted_rsa(), "legacy encrypted RSA key (Proc-Type)")
    pem_file("keys/signing-key.asc", "positive", "private-key", private_key_pem("PGP"), "PGP private key block")
    f = F("keys/bundle.pem")
    f.block("negative", "certificate", "certificate before the key in a combined PEM", cert_pem())
    f.block("positive", "private-key", "RSA private key after the certificate in a combined PEM", private_key_pem("RSA"))
    f.save()
    pem_file("keys/id_ed25519.pub", "negative", "ssh-public-key", [ssh_pub("ed25519")], "SSH public key file")
    pem_file("keys/id_rsa.pub", "negative", "ssh-public-key", [ssh_pub("rsa")], "SSH public key file")
    pem_file("keys/public.pem", "negative", "public-key", public_key_pem(), "PEM public key")
    pem_file("keys/rsa_public.pem", "negative", "public-key", rsa_public_pem(), "PKCS#1 RSA public key")
    pem_file("keys/signing-pubkey.asc", "negative", "public-key", pgp_public(), "PGP public key block")
    pem_file("certs/server.crt", "negative", "certificate", cert_pem(), "certificate")
    pem_file("certs/request.csr", "negative", "certificate", cert_pem("CERTIFICATE REQUEST"), "certificate signing request")
    pem_file("certs/dhparam.pem", "negative", "certificate", cert_pem("DH PARAMETERS"), "Diffie-Hellman parameters")
    f = F("certs/ca-bundle.crt")
    for i in range(4):
        f.fill("# Acme Issuing CA %d" % (i + 1))
        f.block("negative", "certificate", "certificate in a CA bundle", cert_pem())
    f.save()
    authorized_keys("keys/authorized_keys", 6)
    known_hosts("keys/known_hosts", 6)

    # lockfiles, hashes and other high-entropy non-secrets
    package_lock("lock/package-lock.json", 16)
    yarn_lock("lock/yarn.lock", 8)
    go_sum("lock/go.sum", 10)
    cargo_lock("lock/Cargo.lock", 10)
    requirements_hashes("lock/requirements.txt", 8)
    lfs_pointer("assets/model.bin")
    css_file("web/theme.css")
    html_file("web/index.html")
    readme("docs/README.md")
    runbook_md("docs/runbook.md")
    app_log("logs/app.log")
    git_credentials("dotfiles/.git-credentials")
    aws_credentials("dotfiles/.aws/credentials")
    for path, p in [("dotfiles/.vault-token", "vault-token"), ("dotfiles/gh-token.txt", "github-pat"),
                    ("secrets/npm-token", "npm-token"), ("secrets/openai.key", "openai-api-key")]:
        if p in COVERED:
            token_file(path, p)
    maven_settings("src/java/settings.xml")
    gradle_properties("src/java/gradle.properties")
    wp_config("src/php/wp-config.php")
    docker_config("dotfiles/.docker/config.json")
    npmrc_auth("dotfiles/.npmrc-nexus")
    kubeconfig("k8s/kubeconfig.yaml")
    kubeadm_join("scripts/join-node.sh")
    putty_key("keys/deploy.ppk")
    openvpn_key("keys/ta.key")
    azure_strings("env/azure.env")
    k8s_deployment("k8s/deployment.yaml")
    dockerfile_secrets_done_right("docker/Dockerfile.secure")

    write()


def write():
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for path, text in sorted(FILES.items()):
        full = os.path.join(OUT, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
    # every recorded line holds what the manifest says it holds
    for kind, path, line, provider, note in MANIFEST:
        text = FILES[path[len("files/"):]].split("\n")
        assert 1 <= line <= len(text), (path, line)
    with open(os.path.join(HERE, "manifest.tsv"), "w", encoding="utf-8", newline="\n") as fh:
        for kind, path, line, provider, note in sorted(MANIFEST, key=lambda m: (m[1], m[2])):
            fh.write("%s\t%s\t%d\t%s\t%s\n" % (kind, path, line, provider, note))
    pos = [m for m in MANIFEST if m[0] == "positive"]
    neg = [m for m in MANIFEST if m[0] == "negative"]
    provs = sorted(set(m[3] for m in pos))
    print("%d positives, %d negatives, %d files, %d providers" % (len(pos), len(neg), len(FILES), len(provs)))


if __name__ == "__main__":
    main()
