/*
 * Container policies (matrix policies.containers) on Kubernetes manifests,
 * Compose files and Dockerfiles.
 *
 * YAML is parsed with libyaml (line numbers from its marks), never with
 * regexes: multi-document files, anchors and aliases (resolved, with the
 * expansion bounded so a YAML bomb costs nothing), comments and flow style.
 * Trust: the bytes are pushed content; every size is bounded, a file that
 * does not parse yields no finding (it is not a manifest), never a crash.
 */
#ifndef GATE_CONTAINERS_H
#define GATE_CONTAINERS_H

#include <stddef.h>

#include "content/policy.h"

typedef struct {
	gate_policy_action privileged;           /* policy.container.privileged */
	gate_policy_action privilege_escalation; /* policy.container.privilege_escalation */
	gate_policy_action run_as_root;          /* policy.container.run_as_root */
	gate_policy_action host_namespaces;      /* policy.container.host_namespaces */
	gate_policy_action host_path;            /* policy.container.host_path */
	gate_policy_action capabilities;         /* policy.container.capabilities */
	gate_policy_action unpinned_images;      /* policy.container.unpinned_images */
	const char *const *registries;           /* policy.container.registries; NULL: any */
	size_t n_registries;
	gate_policy_action registries_action;    /* what an image from elsewhere does */
} gate_container_policy;

typedef enum {
	GATE_CONTAINER_FILE_NONE = 0,
	GATE_CONTAINER_FILE_YAML,       /* *.yml / *.yaml: Kubernetes manifests (any kind skipped) */
	GATE_CONTAINER_FILE_COMPOSE,    /* compose.y(a)ml, docker-compose*.y(a)ml */
	GATE_CONTAINER_FILE_DOCKERFILE, /* Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile */
} gate_container_file;

/* Which kind of file PATH (a repository path) is, by its name alone. */
gate_container_file gate_containers_file_kind(const char *path);

/*
 * What each check reports (one finding per occurrence, at the line of the
 * key or value that causes it; content included raw, cut to 100 bytes for
 * names and 200 for images and paths):
 *
 * Kubernetes (GATE_CONTAINER_FILE_YAML): every document of the stream whose
 * kind has a pod spec: Pod (spec); Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, Job, ReplicationController (spec.template.spec); CronJob
 * (spec.jobTemplate.spec.template.spec); PodTemplate (template.spec); and
 * the items of kind List or any *List, nested up to 4 deep.  Containers are
 * containers, initContainers and ephemeralContainers.  Other kinds are
 * skipped.
 *  - privileged: securityContext.privileged true.
 *  - privilege_escalation: securityContext.allowPrivilegeEscalation true
 *    (explicitly; the Kubernetes default of "allowed" is not reported).
 *  - run_as_root, once per container: runAsUser 0 in the container's
 *    securityContext, or in the pod's when the container sets none (at the
 *    runAsUser line); otherwise, when no non-zero runAsUser is set, the
 *    effective runAsNonRoot (container's, else pod's) not being true (at the
 *    container's line).
 *  - host_namespaces: hostNetwork, hostPID, hostIPC true in the pod spec.
 *  - host_path: each volumes[] entry with a hostPath.
 *  - capabilities: each securityContext.capabilities.add entry outside the
 *    Pod Security Standards "baseline" list (AUDIT_WRITE, CHOWN,
 *    DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP,
 *    SETGID, SETPCAP, SETUID, SYS_CHROOT), compared case-insensitively with
 *    or without a CAP_ prefix: so ALL, SYS_ADMIN, NET_ADMIN, NET_RAW,
 *    SYS_PTRACE, SYS_MODULE, DAC_READ_SEARCH, BPF, ... are all reported.
 *  - unpinned_images: an image not ending in @sha256:<64 hex> (or
 *    @sha512:<128 hex>), lower-case hex; one made of variables or templates
 *    ($X, {{ }}) is reported as such.
 *  - registries (when POLICY->registries is set, with registries_action):
 *    the image's registry is the part before the first '/' when that part
 *    contains '.' or ':', is "localhost" or has upper case, else docker.io
 *    (index.docker.io is docker.io).  An entry without '/' names a registry
 *    (literal, case-insensitive, or a glob.h glob like "*.gcr.io"); an
 *    entry with '/' names a repository prefix ("ghcr.io/acme" allows
 *    ghcr.io/acme/...; docker.io one-part names are docker.io/library/x).
 *    A digest does not excuse an image from elsewhere; a registry that comes
 *    from a variable cannot be checked and is reported.
 * Booleans read as YAML 1.1 does (true/yes/on/y in any of their spellings),
 * integers in any YAML notation; `<<` merge keys are followed; with
 * duplicate keys any dangerous occurrence counts.
 *
 * Compose (GATE_CONTAINER_FILE_COMPOSE), each entry of services (merges
 * followed):
 *  - privileged: privileged true.  capabilities: cap_add, as above.
 *  - host_namespaces: network_mode, pid, ipc, uts or userns_mode "host".
 *  - host_path: volumes entries that bind a host path: short syntax whose
 *    source starts with /, ., ~, \ or a drive letter (relative binds
 *    included; a source set by a variable may be one and is reported), long
 *    syntax type: bind; and top-level named volumes whose driver_opts o
 *    includes bind.
 *  - run_as_root: user root or UID 0 ("0:0", "root:root"), a user that is a
 *    variable without a default, or no user at all (the image's default).
 *  - privilege_escalation: security_opt "no-new-privileges:false" (or =false),
 *    the explicit opt-out Docker offers, like allowPrivilegeEscalation: true.
 *  - unpinned_images, registries: image, unless the service has `build:`
 *    (then image names what is built, not what is pulled).
 *
 * Dockerfiles (GATE_CONTAINER_FILE_DOCKERFILE): parser directive escape,
 * continuations, comments and heredoc bodies are read as BuildKit does.
 *  - unpinned_images, registries: every FROM image (flags like --platform
 *    skipped), except scratch and earlier stages (by AS name, any case);
 *    FROM $ARG is reported as not pinned, naming the argument and its
 *    default, since any build can override it.  COPY --from= and RUN
 *    --mount=...,from= naming an image rather than a stage likewise.
 *  - run_as_root: the final stage (which inherits the user of a stage it is
 *    built FROM) has no USER (at its FROM line), or its last USER is root,
 *    UID 0 or a variable that ARG/ENV in the stage give no value.
 *
 * Bounds: files over 16 MiB and kinds that are NONE are not checked (no
 * finding).  YAML: at most 50,000 documents, 1,000,000 nodes and aliases
 * per document, nesting 10,000 (subtrees deeper than 128 read as null), and
 * a work budget of 2,000,000 steps plus 16 per node parsed, so a YAML bomb
 * costs nothing; a document that is cut short is not checked, those before
 * it are.
 *
 * Checks DATA (LEN bytes, the content of PATH) against POLICY and appends a
 * finding for each violation of a check that is not OFF, with the check's
 * action.  KIND says how to read it (GATE_CONTAINER_FILE_NONE: by PATH's
 * name).  0, or GATE_ENOMEM; content that is not a manifest is not an error.
 */
int gate_containers_check(gate_policy_findings *out, const gate_container_policy *policy,
			  const char *path, gate_container_file kind, const char *data, size_t len);

#endif
