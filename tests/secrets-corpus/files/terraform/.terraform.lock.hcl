# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "4.78.7"
  constraints = "~> 5.0"
  hashes = [
    "h1:FDTRE5mv2jtwbMM159EXn+npBSM/nBeLwIxVMlrgEtE=",
    "zh:eb5e62657e6ba3ac0c81ae699e282997bd96a768838efd682b0055d05ee38e8c",
    "zh:21ec2a433319741d46132046340d1ad42d4d8df42d82f50c57c9b20dbd8d1d27",
    "zh:898e7184801d8ae3ef17de90b7c680fd95e57364203731d8af3a53ee6d52421a",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version     = "4.19.7"
  constraints = "~> 5.0"
  hashes = [
    "h1:Wq6Whw5wXuETKCBraGdPabm7lSW5RluDqKcISP9Spn8=",
    "zh:ec55f1cb79df463d749a3e967285a626de74e780a68b6fe3afda813976daed27",
    "zh:bbc8f9336573d501665e247729351edaeeb106357567986b441e6045101f9b36",
    "zh:c765492270446913e55d6b0b06730e3cb08c8c5d873404621eaaa7cec4f5832b",
  ]
}

provider "registry.terraform.io/integrations/github" {
  version     = "5.64.1"
  constraints = "~> 5.0"
  hashes = [
    "h1:YL34jsJxLXEfQd50nBk8OOhtdz7kKR4d9QV/RhUMgPI=",
    "zh:9a1636b68f1f3748c01adc7c8b176bfb76b3d7149d2d5161cf906ddab9d25b62",
    "zh:9e7f7c151caa0b36574fe2cd4005547a2a215a400bd6c4139066ec0aba64f264",
    "zh:c2150980d82879a9decfedfffd45383c95e5c9e1234761083f5177472c993d79",
  ]
}

