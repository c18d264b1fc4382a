# `opa test .`: the example policies on inputs shaped like gatehouse's.
package gatehouse_test

import rego.v1

import data.gatehouse

pod(image, privileged) := {"files": [{"path": "deploy/pod.yaml", "kind": "yaml", "documents": [{
	"kind": "Pod",
	"metadata": {"name": "p"},
	"spec": {"containers": [{"name": "c", "image": image, "securityContext": {"privileged": privileged}}]},
}]}], "updates": []}

good_image := "registry.example.com/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

test_clean_pod_allowed if {
	count(gatehouse.deny) == 0 with input as pod(good_image, false)
}

test_privileged_denied if {
	some msg in gatehouse.deny with input as pod(good_image, true)
	contains(msg, "runs privileged")
}

test_unpinned_denied if {
	some msg in gatehouse.deny with input as pod("registry.example.com/app:latest", false)
	contains(msg, "not pinned by digest")
}

test_foreign_registry_denied if {
	some msg in gatehouse.deny with input as pod("docker.io/library/nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", false)
	contains(msg, "not from an allowed registry")
}

test_deploy_from_unprotected_denied if {
	some msg in gatehouse.deny with input as {"files": [], "updates": [{"ref": "refs/heads/deploy/prod", "kind": "create", "new": "0123456789abcdef", "deploy_ref": true, "protected_sources": []}]}
	contains(msg, "not on a protected branch")
}

test_deploy_from_main_allowed if {
	count(gatehouse.deny) == 0 with input as {"files": [], "updates": [{"ref": "refs/heads/deploy/prod", "kind": "create", "new": "0123456789abcdef", "deploy_ref": true, "protected_sources": ["refs/heads/main"]}]}
}
