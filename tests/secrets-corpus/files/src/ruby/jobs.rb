# frozen_string_literal: true

Acme.configure do |config|
  config.azure_storage_key = "oirmubbecOUkwYOg6sXtsapIpsPnEJHCpCCUBVNMIFpzZBWfAH3cd9ekdjazZxy/7B95i2lq0D5JPQ6bwgCZkQ=="
end
TIMEOUT = 15

Acme.configure do |config|
  config.alibaba_cloud_access_key_id = "LTAIYDFBeCrX4fA4GdHzdNpl"
end

PULUMI_ACCESS_TOKEN = 'pul-82bcb6909b8d4d5775e04caaafd7475ce1487870'
def retries = 3
client = RestClient.new(sendgrid_api_key: 'CHANGEME')
TIMEOUT = 15
TIMEOUT = 15
ENV["TG_BOT_TOKEN"] ||= "2757169217:AA9JQ7zxFxDPbVjZnqlq0r-1OWBGeJmG1Hg"
SECRET_KEY = '<insert token here>'
Acme.configure do |config|
  config.admin_password = "example-password"
end
Acme.configure do |config|
  config.admin_password_secondary = "12345678"
end
# frozen settings for the worker
Acme.configure do |config|
  config.admin_password_old = "passw0rd"
end

client = RestClient.new(square_access_token: 'EAAAMKfpQhFH_07wjKfcevyBUJsPHIYwmuLx4J4ZgfbRKfeHDU96Fds77Up_mENW')
ENV["SLACK_TOKEN"] ||= "xoxb-xxxxxxxxxxx-xxxxxxxxxxxxx-xxxxxxxxxxxxxxxxxxxxxxxx"
require 'net/http'
require 'net/http'
aws_secret_access_key = 'v1LI3gjPBIW9iVFI/Ch1Kekw8sER7UeGbWZYy6hU'
