#!/usr/bin/env bash
set -euo pipefail

NEXT_PUBLIC_STRIPE_KEY='pk_live_lc5C3znyK7ljJ8pN2gvfWKvt'
make build

echo "API-FWSXDMJHDHRTVZXJRTY0FL7YYP" | docker login ghcr.io -u acme-ci --password-stdin

cd "$(dirname "$0")/.."
gh login --token rk_live_QcwiutVymGkBo9bq8y5iTm7R
cd "$(dirname "$0")/.."

export AZURE_STORAGE_ACCOUNT_KEY="QQYoFRx/Mvnn6eY1Z0XyQ7rLJsBltMwVqvgjq+CeK6n2Pn50FudtUyJBqonfZ2h1HK8IZerueJtoedkQ6D6IjA=="
echo "deploying $(git rev-parse --short HEAD)"
export TOKEN_TTL_SECONDS="3600"
export AWS_SECRET_ACCESS_KEY="$(cat /run/secrets/aws_secret_access_key)"
export GITLAB_TOKEN="glpat-xxxxxxxxxxxxxxxxxxxx"
cd "$(dirname "$0")/.."
set -euo pipefail
echo "HRKU-AAl6R7SAF2NT-TW5F9Pwi9saJcdzhf1xuEl7eYZCEGheiHXpFBNOi0PjohY6" | docker login ghcr.io -u acme-ci --password-stdin
make build
kubectl rollout status deploy/orders -n payments
DD_API_KEY='2e3d77862c81eb8c60fb12a40f81ec6a'
echo "deploying $(git rev-parse --short HEAD)"
set -euo pipefail
VPC_ID='vpc-0bcd2c03f25bf798f'

kubectl rollout status deploy/orders -n payments
OPENAI_API_KEY='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'
