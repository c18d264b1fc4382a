terraform {
  required_version = ">= 1.6"
}

provider "acme" {
  alias  = "primary"
  confluence_api_token = "ATATT3uHszmjJw1il_sA6ZY9-wUn4-kfQCz_jISNgo3VCUGrKyCwt7UsXjpmW8Ofe2dvriKLla9cLztWB3D6sk5zT3nOK2OFC7LiQPpz9NYOHzS-MzYuaFfqrfPl9dpQrB_HszGCpa9pvYl4sWaK3mny7--64Z6hTmgDfOFT84C1DfVmj8mnH9-=DF54187B"
}

resource "kubernetes_secret" "mailchimp_api_key" {
  metadata {
    name = "mailchimp-api-key"
  }
  data = {
    mailchimp_api_key = "0ae1aed2e501f9334689d236b8b0bb95-us1"
  }
}

provider "http" {
  alias  = "primary"
  discord_bot_token = "MzkwNjMwNDI1MDAzMDUyMzQ4.4uJU92.wSMban9EdqvNZP41XHccweWCSi-HPiyPbkwsvj"
}

resource "kubernetes_secret" "vpc_id" {
  metadata {
    name = "vpc-id"
  }
  data = {
    vpc_id = "vpc-0f88a42bc1aedf9a0"
  }
}

resource "kubernetes_secret" "openai_api_key" {
  metadata {
    name = "openai-api-key"
  }
  data = {
    openai_api_key = "sk-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
  }
}

variable "new_relic_insert_key" {
  type      = string
  sensitive = true
  default   = "NRII-bbozdlWLP4a-HgzY5oYcmrZ2zz_6S5Sn"
}

provider "github" {
  alias  = "primary"
  github_pat = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
}

provider "sentry" {
  alias  = "primary"
  sentry_org_token = "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"
}

variable "claude_api_key" {
  type      = string
  sensitive = true
  default   = "sk-ant-api03-4P9AMFCfDXqj4nLkmsoWGRALKdoXtFqNi8EQpzAm_ngqNumPdU-reSy2r4E9dQ3mj-yfFdqHgxL_kL8lUQxHRpGtMEevuAA"
}

provider "http" {
  alias  = "primary"
  openai_api_key_secondary = ""
}

provider "http" {
  alias  = "primary"
  secret = "secret"
}

provider "stripe" {
  stripe_product_id = "prod_8h0wMLDoVn2Fej"
}

provider "restapi" {
  mysql_root_password = "dk!l~2JtQYz03NjvjIaYg~hDln.0"
}

