go.mod
module example.com/billing

go 1.21

toolchain go1.21.5

require (
	github.com/gin-gonic/gin v1.9.0
	github.com/stretchr/testify v1.8.4
	golang.org/x/net v0.0.0-20220722155237-a158d28d115b // indirect
	gopkg.in/yaml.v3 v3.0.1 // indirect
)

require github.com/google/uuid v1.3.0

exclude golang.org/x/net v0.0.0-20190620200207-3b0461eec859

replace github.com/old/logger v1.0.0 => github.com/new/logger v1.2.3

replace example.com/local => ../local

retract (
	v1.0.1 // published by mistake
	[v1.1.0, v1.1.5]
)
