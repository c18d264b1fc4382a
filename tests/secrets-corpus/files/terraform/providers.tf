terraform {
  required_version = ">= 1.6"
}

resource "kubernetes_secret" "npm_token" {
  metadata {
    name = "npm-token"
  }
  data = {
    npm_token = "npm_WvX3JVEW36zQAEQXcjZ0KU7sq3Wm6QazK8jI"
  }
}

provider "restapi" {
  coinbase_api_secret = "1hMCd6rRU7RGVbQtFCDA7gcTTHEnEkih"
}

resource "kubernetes_secret" "subscription_id" {
  metadata {
    name = "subscription-id"
  }
  data = {
    subscription_id = "81e51d3b-c93e-4643-94fa-ed322cde9bae"
  }
}

resource "kubernetes_secret" "jwt_signing_key" {
  metadata {
    name = "jwt-signing-key"
  }
  data = {
    jwt_signing_key = "projects/acme-prod/locations/global/keyRings/app/cryptoKeys/jwt-signing-2024"
  }
}

provider "restapi" {
  admin_password = "root"
}

provider "http" {
  alias  = "primary"
  dd_api_key = "4191f88fc860764bce9849d6107f6456"
}

provider "restapi" {
  alias  = "primary"
  yc_api_key = "AQVNdJhg8v7vFciAPgtvD1YPxZU08AqhZNJiwwQ9"
}

variable "npm_token_secondary" {
  type      = string
  sensitive = true
  default   = "xxxxxxxxxxxxxxxx"
}

provider "slack" {
  slack_token = "xoxb-1665589840958-4154844066697-Z3qayq1r2hfl59nDVaskOwGA"
}

provider "http" {
  alias  = "primary"
  access_token = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImRoLUVxVkNDZUdENWF3YjJ2dDUzQnQifQ.eyJpc3MiOiJodHRwczovL2F1dGguZ2xvYmV4LmlvLyIsInN1YiI6ImF1dGgwfDA0ODZmOGU5YWI2NDU2MWJlYzc5ZTNlNiIsImF1ZCI6WyJodHRwczovL2FwaS5hY21lLmlvIl0sImlhdCI6MTc2MDI1MDcwMiwiZXhwIjoxNzYwMzM3MTAyLCJzY29wZSI6Im9wZW5pZCBwcm9maWxlIGVtYWlsIn0.EavG9oEDMmWEj9w9j7m-RDLhftASy0sxy4I2qY2wekDbcp-kGslPSq_Cyo1Lot1HtlXfoKdDD7Pan4gbkf7IlQ"
}

provider "acme" {
  fastly_api_token = "ZZ_BgdtkJF6tqLUW8y1WTq3ndBtcKjZy"
}

provider "acme" {
  alias  = "primary"
  replicate_api_token = "r8_ALoURKfmiEtZQaRgta1lc7HKUPiaZ12CTgwTW"
}

resource "kubernetes_secret" "mistral_api_key" {
  metadata {
    name = "mistral-api-key"
  }
  data = {
    mistral_api_key = "1CXeu2NUvMtKuILE6HCnRJeB6vKdBMgJ"
  }
}

provider "acme" {
  alias  = "primary"
  easypost_api_key = "EZAKBAAY5imFWpJK5o2THrhwZAIMOTxBpYcsxiMmLnEqikvePdZGwShtDc"
}

provider "restapi" {
  databricks_token = "dapid8ed9c23bb7f44d9dfc5948bcec168cd"
}

resource "kubernetes_secret" "sha512" {
  metadata {
    name = "sha512"
  }
  data = {
    sha512 = "19ba1bda42a168e4f4511fcf907595ba88e2543ba872c0a352418cc329fe8c068ac73ee96a87f2f85f30c4463a2b0e45a69986d7583ee70fcfe12dc12d598021"
  }
}

provider "stripe" {
  stripe_test_secret_key = "rk_test_51FGk2NUXhZZzf2QuF05oSyA3DtImQKG7gDCR3qPkkS9wQcOzpbO5ebV31vAatylIzQgvmlRWU2VBcaQSsR032hFCeUnaXW02QA"
}

provider "restapi" {
  alibaba_cloud_access_key_secret = "wMfil4nbmWDTGtDbUbrPckW5ZLGbb1"
}

provider "github" {
  github_pat = "ghp_HaC11nsW5PtjDnZTvUeDP96QoZgOlreFLdMI"
}

