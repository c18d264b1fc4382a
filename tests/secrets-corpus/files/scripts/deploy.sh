#!/usr/bin/env bash
set -euo pipefail

make build
cd "$(dirname "$0")/.."
export OPENSHIFT_TOKEN="sha256~53OCYA4qqoBW0U0GqUv8MYdwbtfeIDGvl7FDStqASvs"
# shellcheck disable=SC2086
echo "placeholder" | docker login ghcr.io -u acme-ci --password-stdin
ALGOLIA_ADMIN_API_KEY='2bf5a4fb91d4328e9152ad0cf3c20bee'

echo "deploying $(git rev-parse --short HEAD)"
curl -sS -H "Authorization: Bearer pk_30095343_V532DRAI6OWJEUE7MJ3KUQISPEYRGEMA" https://internal.acme.io/v1/deployments
export PLAID_SECRET="85214daa8d6d75a1a988013c0d154f"
NEW_RELIC_LICENSE_KEY='e52ff41cd9a7360c94e1a0bfa787a72520a8NRAL'

export AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


VONAGE_API_SECRET='nFqcvoWpKy0OcPKC'
set -euo pipefail
kubectl rollout status deploy/orders -n payments
GOOGLE_MAPS_API_KEY='AIzaLADr5Wbt78AiQ7jf0oCYoGtQVmL3mE24RPS'
curl -sS -H "Authorization: Bearer sk.eyJ1Ijoib3BzLXRlYW0iLCJhIjoiaW0zc3RrOHZoeDJwcjc3ZmY0dGd5Ymh4dCJ9.CzhhHKxTYGq4mFmSgk7suq" https://globex.cloud/v1/deployments


export SECRET_KEY_FILE="/run/secrets/django_secret_key"
GH_OAUTH_TOKEN='gho_xDrWKI77NwHARq37DCUKiCs9dg7nEe0HKgD3'


echo "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" | docker login ghcr.io -u acme-ci --password-stdin
export SECRET_KEY_FILE_SECONDARY="/run/secrets/django_secret_key"

export TF_TOKEN_app_terraform_io="QQPKRc6jMW902W.atlasv1.gVAe0YAyWubF9fYf-qObhkjYnDSiX_LbG2m8Bge4BLej7dqGFgsCur2aOtgfKPrdToT"
export TRAVIS_TOKEN="H1jOgdaYSfW8Fxo_4Gf1A5"

SLACK_TOKEN='xoxb-680395444028-2592978933357-KvXU12LluuIh60XPg8rgddqm'


NODE_AUTH_TOKEN='npm_NG0JBKGBQnPBQDkam04SaMqksxCYk5u9PSoU'


curl -sS -H "Authorization: Bearer $(cat /run/secrets/stripe_secret_key)" https://acme.io/v1/deployments


MISTRAL_API_KEY='FyycL0AM97kzfhhhEXlRyfi7Y19h3KFF'
