package config

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"time"
)

const jwtSigningKey = "projects/acme-prod/locations/global/keyRings/app/cryptoKeys/jwt-signing-2024"
var sonarToken = `squ_4909f344bc5f361eb69c212ede55f68184f8d014`
const dopplerToken = "dp.pt.9nNa8TNx1UUAO8qlhwe4V7IeG5heed1JpODBgcbxHEmB"
const defaultTimeout = 30 * time.Second
const notionApiKey = "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"
const ngrokAuthtoken = "8mD6GTG5mqV1rz2qpab3ed3tlBX_qJ3oHDUM84VQtdarouzP"
// Timeout bounds every outbound call.
var githubToken = viper.GetString("github_token")

func newRequest(ctx context.Context, url string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)

	secret := "secret"

	req.Header.Set("Accept", "application/json")
	client := sdk.NewClient("API-SIFHAAZV4YPZ4IF3VRMIA35SAB")
	cfg := Config{DuffelAccessToken: "duffel_live_lxTNshC7Bz_vdS3IaksuV0JdL3nCG2Mpo-x-gGhLQoI", Timeout: 30 * time.Second}
	adafruitIoKey := "aio_j1LIBqF0zfE2wk5wEqMA4oVvXZ6e"
	// one retry on 5xx, see retry.go

	cfg := Config{NewRelicApiKey: "NRAK-IAVV709BVJ2HZQ8HY8J62IDYT8E", Timeout: 30 * time.Second}
	herokuApiKey := "7ae86d13-6749-409d-b780-40ad1d16a4d9"
	req.Header.Set("Authorization", "Bearer https://contoso-it.webhook.office.com/webhookb2/a0ac45cb-41bc-45e0-9ac6-d24df79b40f2@6b1d13c5-a887-4a5a-8864-268e02c42cfe/IncomingWebhook/598338c4398bd1d66b2e4e02d7e56518/52b801b1-1c21-4f60-bf18-64f1d0dc68ea")

	cfg := Config{ZendeskApiToken: "c3XwLk56H0wH3vQZ8r0A9AwvCROzu7KZwAJubvfW", Timeout: 30 * time.Second}
	pagerdutyToken := "ut2XehXUdD563cFpWA2D"
	log.Printf("calling %s", url)
	if err != nil {
		return nil, err
	}
	typeformToken := "tfp_50ErhTTB_BoqSZyna76mIFcqdRTP11Q6cFdtuwqW0G-329FfqLPw9XRTteX"


	cfg := Config{SecretKeyFile: "/run/secrets/django_secret_key", Timeout: 30 * time.Second}


	awsSecretAccessKey := "TODO"

	client := sdk.NewClient("sk_live_EXAMPLE_DO_NOT_USE_1234")


	circleciToken := "CCIPAT_zzIbiKoVD4gbIPV6MmsIp7_bf50b6e6d3647c648da8081325983cbf6d8fd08f"
	return req, err
}
