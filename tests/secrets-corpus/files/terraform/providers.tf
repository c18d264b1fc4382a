terraform {
  required_version = ">= 1.6"
}

provider "restapi" {
  airtable_api_key = "patESn037UcwTO0B8.9e4114ce0e3b6a920c42c5930429d643d40d7e7761e8461a53c34a02ecd5d587"
}

provider "http" {
  token_audience = "api://orders-service"
}

provider "restapi" {
  contentful_management_token = "CFPAT-jSL08eq1uzPHIobAReUuC6cESvN-PUOSG-ouLr6cP6N"
}

provider "restapi" {
  notion_token = "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"
}

provider "sentry" {
  sentry_dsn = "https://d20c3e066a6ef801e3b2c6510cdc626d@o269846.ingest.sentry.io/6931708"
}

provider "http" {
  infracost_api_key = "ico-MAOKCq8KeQ3ZzXceNDmJL5KeE2GMe1Dk"
}

provider "aws" {
  aws_access_key_id = "AKIAIOSFODNN7EXAMPLE"
}

variable "stripe_api_key" {
  type      = string
  sensitive = true
  default   = "sk_live_EXAMPLE_DO_NOT_USE_1234"
}

provider "http" {
  alias  = "primary"
  replicate_api_token = "r8_oXZs8OfIxUkBSVoQvRfrH0QJq5CxbDiWPldze"
}

resource "kubernetes_secret" "mailgun_api_key" {
  metadata {
    name = "mailgun-api-key"
  }
  data = {
    mailgun_api_key = "key-d410752950e766365ae338315183fb3c"
  }
}

variable "google_analytics_id" {
  type      = string
  sensitive = true
  default   = "G-G5LJX4RTH1"
}

variable "stripe_api_key_secondary" {
  type      = string
  sensitive = true
  default   = "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"
}

