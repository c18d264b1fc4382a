terraform {
  required_version = ">= 1.6"
}

provider "slack" {
  slack_channel_id = "C0TL5HSP067"
}

provider "http" {
  lob_api_key = "live_a6b5d6489fc97735760d13b4e6c5cf4c607"
}

provider "grafana" {
  alias  = "primary"
  grafana_token = "glsa_GSOkCkTaFXbCgZgxUpPB6PPh5CWVDcVW_97a14752"
}

provider "acme" {
  twitter_api_secret = "Ed0KNJezaAQFmq9gELbW3cUDwCvkgjTEcivIK9eIsLQr7OfdC8"
}

provider "http" {
  pypi_token = "pypi-AgEIcHlwaS5vcmcAiJyl-U6MPZAHDZ4QAVcbh42vwtV_oGtstnd3wKrmXQgZlze2xNumWNGObdnupqKedscqHFROOlF11dGERy5NNIrPPGtxjlSe36XU_IKOeUWFhZ81-cLKJ_Tpg9WTX9_CJ_reNwkHQaq0BIQltdg18nT5R1oGHQCQO38LVNS3zGh10Q518sJwfIPXcTe"
}

resource "kubernetes_secret" "client_secret" {
  metadata {
    name = "client-secret"
  }
  data = {
    client_secret = data.aws_ssm_parameter.client_secret.value
  }
}

variable "clojars_password" {
  type      = string
  sensitive = true
  default   = "CLOJARS_eo095c2jsd481y5azw0dpziwiwopzxbum2a3csmnq706tmnmfb5ve22owc2l"
}

provider "http" {
  alias  = "primary"
  src_access_token = "sgp_local_3e6558048c6d09a57880e1f4c4b3789febda263f"
}

variable "vultr_api_key" {
  type      = string
  sensitive = true
  default   = "3SEOLUNVPC60Q0YUEH5P7NB06ZVGBEHXHDNK"
}

resource "kubernetes_secret" "aws_secret_access_key" {
  metadata {
    name = "aws-secret-access-key"
  }
  data = {
    aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
  }
}

provider "acme" {
  alias  = "primary"
  image_digest = "sha256:1c77b5865b06429f1e74ed2aaa55a310a5bf186fad46d2030c3e7c1385439aeb"
}

provider "acme" {
  alias  = "primary"
  cohere_api_key = "yr7mIVAr55f21FRR3eVH5BJ2h07acqGAOsisuG21"
}

resource "kubernetes_secret" "paypal_client_secret" {
  metadata {
    name = "paypal-client-secret"
  }
  data = {
    paypal_client_secret = "73xh-CqlARNjeL70_ljoGG6sjn4nqp9gsaJVkJMhXzCQWW8lEVruNmXXzrET0na_EZNH-aXiYk-9Wfj_"
  }
}

provider "http" {
  alicloud_access_key = "LTAIkWXNPrBNrsqbUzviUOmw"
}

provider "stripe" {
  stripe_product_id = "prod_v52axBSSjf38CS"
}

resource "kubernetes_secret" "sentry_org_token" {
  metadata {
    name = "sentry-org-token"
  }
  data = {
    sentry_org_token = "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"
  }
}

provider "http" {
  openai_api_key = "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"
}

variable "s3_access_key_id" {
  type      = string
  sensitive = true
  default   = "AKIA4NN3YD66MIPASDTJ"
}

provider "aws" {
  aws_secret_access_key_secondary = "TODO"
}

provider "http" {
  alias  = "primary"
  shippo_api_token = "shippo_live_4e947d20c2d33d89f7f1bdbc1a17294837232e5a"
}

