resource "tls_self_signed_cert" "ca" {
  # key generated offline and committed by mistake
  private_key_pem = <<-EOT
    -----BEGIN RSA PRIVATE KEY-----
    MIIEpAIBAAKCAQEAGvAMOVhR3pnXOOAxb+5Ds/pECMTtv3XRq+VAWSF5XMAYVhgX
    7orNXMcNpr5m8KANhbB5cDXtgugv0cLxUN64a4yAtIAvmzGgwmBcA/qcSRUO46qT
    ViKseQWVtoyeBIJGflpK9Qnc+xzc+kRDi5F5XglNflo4uT64riaalz8KOBq+HFiw
    gd3K/0Oro+amgmFIH8Pk/2eh8UMRr+KqU5n/t7ZMygl6lbiEYLpHrolBPfF/ydv6
    qZztttFn8XBZ+RJIghe+zCXy3dg6yeSE3qNmugcuoKuRgWlc5cW7sSnl5NqCQFfL
    MwbWONK9ngYRlaJKVBDj1LLGBSmu17804FOc4BBtpzUYGPnJwB2b0t53jC1JvzWU
    5afyg2jCMWmE3lVWCEUpICCwGd96yijIrv+Sxy7ie2KryKFJ4bRqmb+hMSc8khJz
    5UNDBcISREOvPE6Y8nM4ooPiugGmVdCaBE6JWLQ0jspLXt1kQuvN+rmj2TvO6sU2
    jglsP+pRrrmGpXE65NHRuPVBzMCu7fRGr/DogR8kvTIpze81avmOZ+8hddjhVFGP
    vhtr65wq5tg8YaXjLvFVhH5JmAqaPfte9vIutrgEqRpLvm6xj1lmhB4g8O2FO3yc
    FC63gqPl2ACMQT88s2uKvWVFkVUzmg7h191dXDwttsheppXt5GkdcAwCzeZos3Oj
    byD6RqrR+Ne1nvHT00G3oyyYbGT92M7i7k6tGaxAV5Qhj3G1Fq4+fgtbTIOAO81c
    j6r+J7IzTr3MWA5GNjo2/6zJWemn8l2HbwQq1BEksm8eam3Fnum2xxCYDW+M/3dp
    mb1YY1KdHiE0XS3uEkBDZ2Bqq/HJruYzVpVxd4HWIGkAWEHJpgo8CeatjJPksl+Z
    CYZCIF2S4AqlDZCXPs2Z+Jy1FfjxLIbS8opcvz+vUPjgjdxT1kNMX2HtxSCkSMj5
    q6BEHtFfBJCkt1vtwNxV8X0VPTSiA6ja4EKYFOTuh+uFr26Z7kssb5ZdIrYkEB9C
    kSPkGD/Aegi9NqsFVbU5EVCV8IswLdgChCPU1IwKgCsEZ17gbNfZ9v3RCVz+U//4
    /5u8vq7tt551c1SQu/SDAfJgisaLNqhUIJ/SvyW73WMDcCw2EiCH+xiF+RK5gtGY
    FHLblZJ7jDM1NXTLmXdC5QvIrzLf0/lPwtOs0KyxM/vjvXaGxcKhNTh34SvLUkVP
    NfUGBn/8+q4CAMhpX6BRGycDBBAvIi68trjxrbdN+7hWFQQQEoge8Bum6TRh3jr3
    WOpdxdp5JCVTW3w4b1Bcnum1XvsBONqf+8b7MHbwyFNvjaPu6zDWRdl2G8NOc9Bt
    8vCAQVMUAQ7OPLDHRTqvOBoq6fkflWiT/S9HFnNNnREEplxzjSrGWCNlS2AFpZdp
    rgrbG4cFlJyH/S/qvRX+yFGfB92dFqduMVaYnEdgAQtMUTaTrDMZ7Zj831xOiGJI
    yRPNe9BgVZdarcWbCHq1g/LAxlyprGb6dFc8GzbZPl71hHcn8i/o1IQYlkIcEvx1
    xJ5tRqKkCINNG6XPscIMmjK6xXAfwItogeo6ihwfctPL/MgU6Hr7gw==
    -----END RSA PRIVATE KEY-----
  EOT
  validity_period_hours = 8760
}

resource "aws_key_pair" "deployer" {
  key_name   = "deployer"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMVjWbWkj93BI9Q2FmaA5BA0mDI6U2G0U4wIomSQv8EE deployer"
}

data "aws_ssm_parameter" "admin_password" {
  name = "/prod/mysql/admin_password"
}

provider "mysql" {
  endpoint = "mysql.internal:3306"
  username = "admin"
  admin_password = data.aws_ssm_parameter.admin_password.value
}
