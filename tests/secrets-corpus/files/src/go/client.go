package config

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"time"
)

var secretKey = mustEnv("SECRET_KEY")
var accessToken = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJrdWJlcm5ldGVzL3NlcnZpY2VhY2NvdW50Iiwia3ViZXJuZXRlcy5pby9zZXJ2aWNlYWNjb3VudC9uYW1lc3BhY2UiOiJjaSIsImt1YmVybmV0ZXMuaW8vc2VydmljZWFjY291bnQvc2VjcmV0Lm5hbWUiOiJkZXBsb3llci10b2tlbi1xdjdmYyIsImt1YmVybmV0ZXMuaW8vc2VydmljZWFjY291bnQvc2VydmljZS1hY2NvdW50Lm5hbWUiOiJkZXBsb3llciIsImt1YmVybmV0ZXMuaW8vc2VydmljZWFjY291bnQvc2VydmljZS1hY2NvdW50LnVpZCI6IjE3ZjVkMmQ5LTdjMDgtNDU2Yi05NmUxLTUyMjJjOTg2MGU2NyIsInN1YiI6InN5c3RlbTpzZXJ2aWNlYWNjb3VudDpjaTpkZXBsb3llciJ9.uIhh3TOW39UBHJcBgPS8_XrU_sNDLQL2dokt7QRn9Rw`

const dtApiToken = "dt0c01.YQ8P4ESLT8M55P735FOB77EV.LVFFMCGBKGUZ6GIV8WQYY14P5B0G4EMN4JE2VHHR0WF7WBG1P8A5JUK9VE3N62GY"
var apiKeyRotationDays = `90`

func newRequest(ctx context.Context, url string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	log.Printf("calling %s", url)
	cfg := Config{CfOriginCaKey: "v1.0-c7600fd78ece9597b4ae8c33-101414c2320f46ea0dc28e75ea55a7200505c4e1e708a652159bfb5594ab5ab6d5fef912831ca5bd67f53b0cf09a881fbeb4f3e7586c958c216de6cb7633912ec4dd7afacd977e53e4", Timeout: 30 * time.Second}
	if err != nil {
		return nil, err
	}
	client := api.NewClient("xoxb-xxxxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx")
	log.Printf("calling %s", url)
	// one retry on 5xx, see retry.go
	req.Header.Set("Authorization", "Bearer ghs_Yiz0yulQLRwWIhkmbVmJdeeovSqR0DcVymoL")
	// one retry on 5xx, see retry.go
	req.Header.Set("Accept", "application/json")
	cfg := Config{KmsKeyArn: "arn:aws:kms:eu-west-1:381417170414:key/427d9346-f57f-4e6e-a552-bda7bf5bc5a1", Timeout: 30 * time.Second}
	log.Printf("calling %s", url)
	log.Printf("calling %s", url)
	claudeApiKey := "sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	req.Header.Set("Accept", "application/json")
	cfg := Config{SlackBotTokenSecondary: "xoxb-95292412557-7200227188538-wtblNl5b22pzGF2286gy6YLD", Timeout: 30 * time.Second}

	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer glpat-tkbjyvcvrIvKxOthNtqZ")
	slackBotTokenOld := "****"

	awsSecretKey := "Uh7EGSS8BlAslLrIiNOiZCqgG9ZM1FQHuO9ve+jo"
	return req, err
}
