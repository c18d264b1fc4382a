# Example external policies for gatehouse (policies.external), in Rego.
#
# The server's admin defines the command (never the matrix):
#
#   git config gatehouse.externalPolicy.opa.command \
#     '/usr/local/bin/opa eval --stdin-input --data /srv/git/policies/ --format json data.gatehouse.deny'
#
# and the matrix names it:
#
#   policies:
#     external: { use: opa, timeout_ms: 2000 }
#
# gatehouse writes the push as JSON on opa's stdin (README: "External
# policies") and rejects with each string of data.gatehouse.deny.  These
# three are the seed's: no privileged containers, only signed images
# (pinned by digest, from an allowed registry), no deployments from
# unprotected branches.  `opa test .` runs gatehouse_test.rego.
package gatehouse

import rego.v1

allowed_registries := {"registry.example.com"}

# Every pod spec in a pushed manifest, with the file it came from.
pod_specs contains [f.path, spec] if {
	some f in input.files
	f.kind == "yaml"
	some doc in f.documents
	spec := pod_spec(doc)
}

pod_spec(doc) := doc.spec if doc.kind == "Pod"

pod_spec(doc) := doc.spec.template.spec if doc.kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}

pod_spec(doc) := doc.spec.jobTemplate.spec.template.spec if doc.kind == "CronJob"

containers(spec) := array.concat(object.get(spec, "containers", []), object.get(spec, "initContainers", []))

# 1. No privileged containers.
deny contains msg if {
	some [path, spec] in pod_specs
	some c in containers(spec)
	c.securityContext.privileged == true
	msg := sprintf("%s: container '%s' runs privileged: not allowed in this organisation", [path, c.name])
}

# 2. Only signed images: pinned by digest, from an allowed registry.
deny contains msg if {
	some [path, spec] in pod_specs
	some c in containers(spec)
	not contains(c.image, "@sha256:")
	msg := sprintf("%s: image %s is not pinned by digest (image@sha256:...)", [path, c.image])
}

deny contains msg if {
	some [path, spec] in pod_specs
	some c in containers(spec)
	registry := split(c.image, "/")[0]
	not registry in allowed_registries
	msg := sprintf("%s: image %s is not from an allowed registry (%v)", [path, c.image, allowed_registries])
}

# 3. No deployments from unprotected branches: a deploy ref takes only a
# commit some protected branch already holds.
deny contains msg if {
	some u in input.updates
	u.deploy_ref
	u.kind != "delete"
	count(object.get(u, "protected_sources", [])) == 0
	msg := sprintf("%s: %s is not on a protected branch; deploy only what passed review", [u.ref, substring(u.new, 0, 10)])
}
