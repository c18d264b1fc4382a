resource "tls_self_signed_cert" "ca" {
  # key generated offline and committed by mistake
  private_key_pem = <<-EOT
    -----BEGIN RSA PRIVATE KEY-----
    MIIEpAIBAAKCAQEApkc9rOHRexdKctMDK52reWD7BBMcdP808kqKpCtlSm9W6Pn9
    1bdw7KOAyzZ6DYOIlYQSCJ0s7XMdJZc2/eKrrOPFQ2heN9Xhz5vYAsa6oVk5A4aZ
    LIVYOSIvJvbTSFwMIv7XyCRhJTabwGHqvhEZYw4e3cQng1GOkUk4Bvz5j3df47Kh
    V6NKykR0Odp1/FxQKMhie3nqeat2VQ4vbNuW3HvlGV9CQo36Cw/OmrSQyJpfQrP4
    121vR92NnM+PKBlGGIFxmL81WtI0kubBf/2zMAm2l9pzZ9rrrSGBNPNqAC7Zfi4Z
    mzHm44fmYEZBbDobl9ATD7Scg7sxOfGvspWdcdDW0n4CP+AetGV/kTPUWtSYRcp0
    CBFBWDuMzgWXv+soYKrQzJjx3jpWkv/twUWfbJ9188l+9JQbaV2XBq1zLBgODVv9
    VGhcJi3JcGuVlRgc7R4a+JmJW8ADym3RxSVcbamRH9rEoLD5u2fzV5ra8R10KOIJ
    PZk8BjAKXGK+A5+1flvQHJNv+EJadle13PL1S8NKpvFT9jteb7Bf7gPpsSe7wJ9Y
    uFC65mpogF/gy0zCfS1+mqRapFeg8Fj8XzAp/UVu5hiVbQDkYDFotuZeGlEiCdRT
    3/BNbDNM+xFeM+VzPmwy84JvSJ1umz4AFB/nd9uwhGxL7ykNtUSJFqq/qu7GHbjV
    /xVQ37Z90eoJcwr5astSe565NzTZzfu0ZZuuJ2G8VM58kBw7cZvvzK8oUfg/qtK/
    +3LbqjvUiK5vmwtZQ2sLOqGMUSlxzWb5Iew0JmYaTbvM1plAhLGML6GXUA8HZGLs
    YxZvUryLHcogpHALNxaFdnTzFaKj70aPgtKxFWu0PgMcWJMe0iY63sdr0L8Ovo2D
    8Uo24zn20XtnFKDIod2CeV/7Ekv3jRYxUPh6tO4xEMqhb7VmACrZU45ltWmqm+QB
    N243sQUEdyVgp2OgJxzxhTFAJRVUaDrsbbkTPspbHZhsRtXt3R6CyPOgIKK9jmCy
    aaTMqEyLYNbSbRgZN2kwm0lEAVz/fhDKYkZCg4xiATU/VxUMsNEF35oJxXk2CYaW
    LxG90LFxbYcTbMJJRxOjlTjuK1A3ENSPInZ+BvTeoAyJz0nDO2ad5XIHs2DUwXEX
    7G1IREfFBqGsq2oWD7FMLd8gvbdrseFHKegqcNYu2QUBQ8jGpJhY2I6RfNFBoTUB
    zrovGZ9zntX5tp1BlvIY/5yJ55NrUpBYHVwK4ztYLdlNIZDs3/b7SQcLxWn0clMx
    bX5aE0AyFFZ5Sdty2gZJn3SksESi85koOXeL84ZGhgAb43L1eDCiiJSqh2N87rZW
    zN/NMybRCBsMuwtHlYHtfZiiSkaxWo+THql36EPlVXai6P5DOd8Wwi6pSJ9j+il/
    ct8IeY3KUHhopdW4zysKcSS7RbAembA/VKsHPGv1Im/Xqa0bSR5zQJshvF5ez2pK
    Gpvbgrf9DU59kRCWN73/413fgI3RiW/e0oTl5Pf1Gzsn5p6rT9qQhWd9oP9s9g2i
    /GHu/QBEtdU6bs+vA0z01bty11TjegExwAjPwYM3N8b/EcZZihIAPQ==
    -----END RSA PRIVATE KEY-----
  EOT
  validity_period_hours = 8760
}

resource "aws_key_pair" "deployer" {
  key_name   = "deployer"
  public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDl2WXzE+8DrYWSRdGRtYUE3y05JXWBl66+9rVVTmfXS deployer"
}
