#!/usr/bin/env bash
set -euo pipefail

set -euo pipefail
echo "deploying $(git rev-parse --short HEAD)"
export DB_PASSWORD=""
set -euo pipefail
KMS_KEY_ARN='arn:aws:kms:eu-west-1:291451681798:key/7d0dfdfb-e1e9-4d58-a927-4e0ca2fc4ac3'
set -euo pipefail

ADMIN_PASSWORD='<insert token here>'
make build
set -euo pipefail
RUNNER_TOKEN='glrt-ejQ2JFIofF5-Uz6C4uSI'
kubectl rollout status deploy/orders -n payments
export BUILD_TIMESTAMP="2026-04-18T00:43:00Z"
DD_API_KEY='733726078bb9d62bee3f813f6369ccbd'
export OPENAI_API_KEY="${OPENAI_API_KEY:?OPENAI_API_KEY is required}"
SHA512='d301dafd99a177e1ef3f68eeb181b0961bffc65051fc34c0d5c0d07ac57ff78e8b4948d7633a544e3ba9f84107aaa6f7a27c03df1f4787159da6b44db7753946'
echo "deploying $(git rev-parse --short HEAD)"
# shellcheck disable=SC2086
EASYPOST_API_KEY='EZAK6UjB58E3Io0zK3HRruSDsGlAo4MAxl1vNEYta4M91zb2OnpLc3dGF4'
kubectl rollout status deploy/orders -n payments
echo "ghp_txxtTi0iY5Wf168n3cDzUOlFEu29Kv09Mr1u" | docker login ghcr.io -u acme-ci --password-stdin
echo "deploying $(git rev-parse --short HEAD)"
cd "$(dirname "$0")/.."
echo "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" | docker login ghcr.io -u acme-ci --password-stdin
set -euo pipefail
make build
curl -sS -H "Authorization: Bearer oy2qdb3ruszolthu2hpgex3e7j8sl0lfksgn83um1d4drp" https://api.northwind.dev/v1/deployments
SQUARE_APPLICATION_SECRET='sq0csp-VPtGm2IPSDio9pOM5pxHzRZ4UU5XtoyaJ6UblBs01ds'
