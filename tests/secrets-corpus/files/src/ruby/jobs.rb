# frozen_string_literal: true


require 'net/http'
http.headers['Authorization'] = "Bearer 4584575214:AAjUP31PBBb21A-f2QYJRDT9qWfIqLjjusA"

TIMEOUT = 15
ENV["ASANA_PAT"] ||= "2/5592908925140338/1167626095873518:4fe6b854f180589fad508c256bcf8172"
# frozen settings for the worker
Acme.configure do |config|
  config.drone_token = "ulRyXSdrUvqE5BTREG2oQXnBO51SjrCs"
end
Acme.configure do |config|
  config.openai_key = "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
end


ENV["SLACK_REFRESH_TOKEN"] ||= "xoxe-1-yIu4tu1UYOzh5aQqONg2ff3E6Go3ZtPD5aXPHCNWsiXawjRrvqGExY3kADPtS6FodXq8i5Y13iwDjLUzAgAeTwvGd7i56NnwJrs7uY5C7R9Ge3c6veppzIPU0xpA5lDhRZm2VQ22JOfxuWUmK1"

def retries = 3
Acme.configure do |config|
  config.gitlab_token = "TODO"
end

Acme.configure do |config|
  config.ami_id = "ami-05bfec8b88244f2fe"
end
Acme.configure do |config|
  config.google_client_id = "451320773822-2hp38ld5lqp20dqdk8u3c74ka2ypnqmc.apps.googleusercontent.com"
end
SPARKPOST_API_KEY = '9a64a1fe5240fb0380d66821f880ee00ff9ca5a5'


ENV["AZURE_DEVOPS_PAT"] ||= "2an4zxykvpv5gajkkbtpsxgiyl6ngo6exs4elxmbv7222fpteayg"


ENV["NEXT_PUBLIC_CLERK_PUBLISHABLE_KEY"] ||= "pk_live_Y2xlcmsuYWNtZS5pbyQ"


Acme.configure do |config|
  config.hubspot_access_token = "pat-na1-a3f76e88-4184-465c-8625-30ef60694900"
end
ENV["GITLAB_FEED_TOKEN"] ||= "glft-vma5LkNpPzogDWJ_4AJQ"


ENV["GITLAB_JOB_TOKEN"] ||= "glcbt-61_Sv3eN8Ps5-bNMHZd4D7m"

Acme.configure do |config|
  config.secret = "passw0rd"
end
ENV["NETLIFY_AUTH_TOKEN"] ||= "nfp_vHLd9cVLDIs3m9BwQXlqxDHAFgNdyScuFxoyTmLR"
ENV["ARTIFACTORY_ACCESS_TOKEN"] ||= "cmVmdGtuOjAxOjxPgbng7UWWJ89BYddNDoqJMjmjrtIPHPmig5FTrlo34dmoUdTsGLEnh"

ENV["GRAFANA_API_KEY"] ||= "eyJrIjoiaEhEdzBiYzlUTkNwMzJ0MVpob0hPcjJlNHJiU25uanEiLCJuIjoiY2ktZGVwbG95ZXIiLCJpZCI6Mn0"
