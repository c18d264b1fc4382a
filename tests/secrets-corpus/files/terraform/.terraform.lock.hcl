# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "3.45.0"
  constraints = "~> 5.0"
  hashes = [
    "h1:iX5HKjYjgfsArRdip9zx3foHvdGuYzVPTvHHqTR8NgU=",
    "zh:7d550430de81444e1f1e03504b2fac699e3968fc0a400c2677e82e14da704419",
    "zh:9692463a0e76b5ce8c26e28d2fe6920c968290102b15469a3f7b8c6961d48483",
    "zh:c011251cf4354ae2edb3c0dbafb856f37aa9905646cf3b41448f8cff10675bc8",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version     = "3.6.3"
  constraints = "~> 5.0"
  hashes = [
    "h1:15DEqZ54H8Z19hZgrkb6s97SPlMNq8Ti44MmIZK60QA=",
    "zh:d5aba3a93520838370abf3b98dbae341991eab250fbfd18e7ead704d182b97f3",
    "zh:09f5638fd25a5762900ec873b5498ffb4f112f67832cbfe89d58509110e660da",
    "zh:712ebf1c68bc8f0524705c26ebd569697d05ca8a32a47da7cb57dd505b356dc6",
  ]
}

provider "registry.terraform.io/integrations/github" {
  version     = "4.73.2"
  constraints = "~> 5.0"
  hashes = [
    "h1:Dl+7p/ETivKDxEXmwJ361eMl9XE77nD8GWi96m5FypE=",
    "zh:ee70c0007f71783ead21749c0b287a2d6105516637296864942778c5e5259fad",
    "zh:06f8a3fb73c97184124a9edf6bab77f3cf6d8f75d6035a522f3ff8c507d60d73",
    "zh:0a9c93432ddaeab3a324ed8f549fcdaebffd36207c937bdf3f45527292f5630e",
  ]
}

