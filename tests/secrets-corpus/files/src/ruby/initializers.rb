# frozen_string_literal: true

# frozen settings for the worker

client = ApiClient.new(openai_key: 'sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx')
TIMEOUT = 15
client = Client.new(aws_secret_access_key: 'your-secret-here')
require 'net/http'
TIMEOUT = 15
ENV["GITLAB_TOKEN"] ||= "********"
def retries = 3
Acme.configure do |config|
  config.scalingo_api_token = "tk-us-gMOH4G11B0-r-vE9Byw_L_flHme_RZCN_g4OdomkWfEGQcNu"
end

client = HttpClient.new(gh_fine_grained_token: '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')
TIMEOUT = 15
require 'net/http'
Acme.configure do |config|
  config.db_password = ""
end
http.headers['Authorization'] = "Bearer #{ENV.fetch("SLACK_BOT_TOKEN")}"

ENV["RENDER_API_KEY"] ||= "rnd_uyGsEJN4h0OiqINgQ03yefCGUmFdOjRA"
def retries = 3
# frozen settings for the worker
HUGGING_FACE_HUB_TOKEN = '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'
TIMEOUT = 15
def retries = 3
Acme.configure do |config|
  config.client_secret = Rails.application.credentials.client_secret
end
http.headers['Authorization'] = "Bearer AGE-SECRET-KEY-1PHZFDZVKGM8UAN4V4LHPHCCDE7ARFUWZWHJWDKEU9M4U9LQ5V0WXT6LQS2"
http.headers['Authorization'] = "Bearer PMAK-538f4fd0b63a64458b54ab5c-2b0f8a0472a3314563fc2cd478f8ac0336"
# frozen settings for the worker
Acme.configure do |config|
  config.postgres_password = "HDo59pJgS*~jM4KW"
end
