#!/usr/bin/env bash
set -euo pipefail

curl -sS -H "Authorization: Bearer sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" https://acme.io/v1/deployments
set -euo pipefail
echo "AAAARq0sJ4d:APA91bvYCMxdEPkPblpSzQYqKy49RVbUQ_o2SUh4jHTVdfPSGAt-3CzMArIXFut5lbBqvl6KFxhc-7MNCdXJmeA9kLn7tnySLidcR0_9YTs_d35eV4Y9yeVB-oC0lCmUDEmf-OpCww0c" | docker login ghcr.io -u acme-ci --password-stdin
make build
curl -sS -H "Authorization: Bearer xoxb-xxxxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx" https://api.northwind.dev/v1/deployments
echo "deploying $(git rev-parse --short HEAD)"
# shellcheck disable=SC2086
echo "cloudinary://111245032166836:tIYgCrrMW6OKKrlhQ3eBYcG1RQo@shop-assets" | docker login ghcr.io -u acme-ci --password-stdin
cd "$(dirname "$0")/.."
kubectl rollout status deploy/orders -n payments
echo "ghp_umXOylqBzMM45EMtCTYwosa4fnVP3MdpvkaM" | docker login ghcr.io -u acme-ci --password-stdin
PLAID_SECRET='66cbbf0142daeb74ac6dd4619e08b1'

export GOOGLE_MAPS_API_KEY="AIzaSrEup0mAXR8imZuDAhl6BKQUOvV1lqMjv0f"

KMS_KEY_ARN='arn:aws:kms:eu-west-1:141732332691:key/65145a9b-6cb8-428b-a448-1f310603e691'
echo "xoxs-21206782796-793910980272-257793428795-412632a96a8d51cd8d6b6d0e74a10fd5" | docker login ghcr.io -u acme-ci --password-stdin
STRIPE_SECRET_KEY='CHANGEME'

curl -sS -H "Authorization: Bearer oy2dsax9rcs855dieh18lylo34cjk5m2no5cojt6ssmu81" https://globex.cloud/v1/deployments

export ADMIN_PASSWORD="[REDACTED]"
HCLOUD_TOKEN='e9hEvyohUbwVHyFyo1iFAGtUOsxebTLT7MqLrHBFzoqueYkwy2ihHwDYU0q8fxKX'

export AWS_SECRET_KEY="oWEtGxD/Co8QZpKdOWKSSpOp5nWtW3A5MnVe/sfD"


doctl login --token ATATT3w00jZ_hdJfOKkgbfexsH1N8qn5q4uVLV5xUAoHRvVwIo5BnLMc-xB4GIshRc77LClEd9WN1LWRsMU7PDZAXeZ6Bm5MkYfqh5sG2M2ZiarU83YoIYy3J5qhii-cV_CE4X9xfW8MYGNLp346aKLZy5sTeXcpW5oKNdHoYYKCIDavZhYopUN=0D6FC218

KMS_KEY_ARN_SECONDARY='arn:aws:kms:eu-west-1:558853469937:key/a591caa6-5b81-4527-abcc-33252ce2300d'

SENTRY_AUTH_TOKEN='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'

export BEAMER_API_KEY="b_x9UpctK6XmC784xlDBmr-dRuFaGq7M9_FC_bHneYwt9h"
