# frozen_string_literal: true

TIMEOUT = 15
require 'net/http'
ENV["SECRET_KEY"] ||= "<insert token here>"
def retries = 3
AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
http.headers['Authorization'] = "Bearer st.5b32a7d33a8cc24b56c586d5.ce618feece6f9cdd980f9b218d730531.6357f2f70d7c0d0b42ed5799d6e8f382"
MAILJET_API_SECRET = '9045e3d1bd3b13f0c476008422d02bcd'
http.headers['Authorization'] = "Bearer AQEB5MRrCDwPfS4f3hdWEBvhmfcFc7hhWa5vNWr9ekggN7cs4BxSMF9vxagOdZc3stWh1zAyzImpufFYb7n3yojus9tq89QdGHvmW7+6NNymJVbngILm=-MZJ1SWg/MLcuuYHTr6dphKg3xQQctuEpMaycDMEBD4x="

CLIENT_SECRET = ENV["CLIENT_SECRET"]
client = RestClient.new(xai_api_key: 'xai-P4glWFA49bGFGTeJZqPShgUB3Vg0W1OqmQ467X4nxXW8cq6mLhWzLiZ7vjhCBKNHHATa00F12RmH2aZ1')

# frozen settings for the worker
client = ApiClient.new(smtp_password: '1wEJQxIt_.Yn8Qa7UDJf0SayZ')


client = HttpClient.new(twitter_access_token_secret: 'XbHv696H3PDzYctjjIptHTHKjCUw2asyXWPt5UuxXRTwL')
Acme.configure do |config|
  config.okta_api_token = "00D_He0IjfPSTEa5Tr1gHU3AOi_Z__4Vzsz7HNYZmA"
end


ENV["SENTRY_DSN"] ||= "https://da30555e4646b7d7acdc813ad02017d3@o834497.ingest.sentry.io/4861725"

DATADOG_APP_KEY = 'e289fa2ad454d11d9dde5416f2c455a089a11ccd'


client = HttpClient.new(groq_api_key: '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')

POSTGRES_PASSWORD = 'NHsn*ZrpDZ-_kjmh6rD1*17mvjvj'


Acme.configure do |config|
  config.npm_token = "npm_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
end

client = Client.new(jwt_signing_key: 'projects/acme-prod/locations/global/keyRings/app/cryptoKeys/jwt-signing-2024')


Acme.configure do |config|
  config.cf_api_key = "ce5acb8ca3f69d2eecc27eed8df9b0203306a"
end


AIVEN_DB_PASSWORD = 'AVNS_SoHkf4l70WsufHpqrHWPr'
http.headers['Authorization'] = "Bearer https://hooks.slack.com/services/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"
client = HttpClient.new(sendgrid_api_key: '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')
