/*
 * Specification of the container policies (src/containers.h): what each
 * check reports in Kubernetes manifests, Compose files and Dockerfiles, at
 * which line and in which words; what it must not report; and that hostile
 * input (YAML bombs, deep nesting, garbage, huge files, allocation failure)
 * costs little and never crashes.
 *
 * Manifests are inline; comments on the right give line numbers, so an
 * expected line can be checked by reading the text.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/common.h"
#include "content/containers.h"
#include "content/policy.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_LSAN 1
#endif
#endif
#ifdef HAVE_LSAN
#include <sanitizer/lsan_interface.h>
#endif

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define DIGEST "sha256:" HEX64

/* ---- helpers ------------------------------------------------------------------ */

static gate_container_policy every_check(gate_policy_action a)
{
	gate_container_policy p;
	memset(&p, 0, sizeof(p));
	p.privileged = p.privilege_escalation = p.run_as_root = p.host_namespaces = a;
	p.host_path = p.capabilities = p.unpinned_images = a;
	p.registries_action = a;
	return p;
}

static gate_policy_findings check_with(const gate_container_policy *p, gate_container_file kind,
				       const char *path, const char *text)
{
	gate_policy_findings f = GATE_POLICY_FINDINGS_INIT;
	int rc = gate_containers_check(&f, p, path, kind, text, strlen(text));
	cr_assert_eq(rc, 0, "check failed: %d %s", rc, gate_error_last());
	return f;
}

static gate_policy_findings k8s(const char *text)
{
	gate_container_policy p = every_check(GATE_POLICY_WARN);
	return check_with(&p, GATE_CONTAINER_FILE_YAML, "deploy/app.yaml", text);
}

static gate_policy_findings compose(const char *text)
{
	gate_container_policy p = every_check(GATE_POLICY_WARN);
	return check_with(&p, GATE_CONTAINER_FILE_COMPOSE, "compose.yaml", text);
}

static gate_policy_findings dockerfile(const char *text)
{
	gate_container_policy p = every_check(GATE_POLICY_WARN);
	return check_with(&p, GATE_CONTAINER_FILE_DOCKERFILE, "Dockerfile", text);
}

static int is_check(const gate_policy_finding *x, const char *check)
{
	return !strncmp(x->check, "policy.container.", 17) && !strcmp(x->check + 17, check);
}

static size_t count(const gate_policy_findings *f, const char *check)
{
	size_t i, n = 0;
	for (i = 0; i < f->count; i++)
		n += is_check(&f->items[i], check);
	return n;
}

static const gate_policy_finding *first(const gate_policy_findings *f, const char *check)
{
	size_t i;
	for (i = 0; i < f->count; i++)
		if (is_check(&f->items[i], check))
			return &f->items[i];
	return NULL;
}

static void dump(const gate_policy_findings *f)
{
	size_t i;
	for (i = 0; i < f->count; i++)
		cr_log_info("%s:%d %s: %s | fix: %s", f->items[i].path, f->items[i].line,
			    f->items[i].check, f->items[i].found, f->items[i].fix);
}

/* Exactly one CHECK finding, at LINE, whose text contains TEXT (when not NULL). */
static void expect_one(const gate_policy_findings *f, const char *check, int line, const char *text)
{
	const gate_policy_finding *x = first(f, check);
	if (count(f, check) != 1)
		dump(f);
	cr_assert_eq(count(f, check), 1, "want one %s finding, have %zu", check, count(f, check));
	cr_expect_eq(x->line, line, "%s at line %d, want %d (%s)", check, x->line, line, x->found);
	if (text)
		cr_expect(strstr(x->found, text) != NULL, "'%s' does not say '%s'", x->found, text);
	cr_expect(x->fix && *x->fix, "%s has no fix text", check);
}

static void expect_none(const gate_policy_findings *f, const char *check)
{
	if (count(f, check))
		dump(f);
	cr_expect_eq(count(f, check), 0, "want no %s finding, have %zu", check, count(f, check));
}

/* A copy of S with every FROM replaced by TO (the caller frees it). */
static char *replace(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)); p += fl)
		n++;
	out = malloc(strlen(s) + n * tl + 1);
	cr_assert(out);
	for (o = out; *s;) {
		if (!strncmp(s, from, fl)) {
			memcpy(o, to, tl);
			o += tl;
			s += fl;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* ---- Kubernetes: kinds ----------------------------------------------------------- */

#define TEMPLATE_KIND(kind)                               \
	"apiVersion: apps/v1\n"                 /*  1 */ \
	"kind: " kind "\n"                      /*  2 */ \
	"metadata:\n"                           /*  3 */ \
	"  name: api\n"                         /*  4 */ \
	"spec:\n"                               /*  5 */ \
	"  template:\n"                         /*  6 */ \
	"    spec:\n"                           /*  7 */ \
	"      containers:\n"                   /*  8 */ \
	"      - name: web\n"                   /*  9 */ \
	"        image: nginx@" DIGEST "\n"     /* 10 */ \
	"        securityContext:\n"            /* 11 */ \
	"          runAsNonRoot: true\n"        /* 12 */ \
	"          privileged: true\n"          /* 13 */

static const struct {
	const char *kind, *yaml;
	int line;
} pod_kinds[] = {
	{ "Deployment", TEMPLATE_KIND("Deployment"), 13 },
	{ "StatefulSet", TEMPLATE_KIND("StatefulSet"), 13 },
	{ "DaemonSet", TEMPLATE_KIND("DaemonSet"), 13 },
	{ "ReplicaSet", TEMPLATE_KIND("ReplicaSet"), 13 },
	{ "Job", TEMPLATE_KIND("Job"), 13 },
	{ "ReplicationController", TEMPLATE_KIND("ReplicationController"), 13 },
	{ "Pod",
	  "apiVersion: v1\n"                               /* 1 */
	  "kind: Pod\n"                                    /* 2 */
	  "metadata: {name: api}\n"                        /* 3 */
	  "spec:\n"                                        /* 4 */
	  "  securityContext: {runAsNonRoot: true}\n"      /* 5 */
	  "  containers:\n"                                /* 6 */
	  "  - name: web\n"                                /* 7 */
	  "    image: nginx@" DIGEST "\n"                  /* 8 */
	  "    securityContext:\n"                         /* 9 */
	  "      privileged: true\n",                      /* 10 */
	  10 },
	{ "CronJob",
	  "apiVersion: batch/v1\n"                         /* 1 */
	  "kind: CronJob\n"                                /* 2 */
	  "metadata: {name: api}\n"                        /* 3 */
	  "spec:\n"                                        /* 4 */
	  "  schedule: '0 3 * * *'\n"                      /* 5 */
	  "  jobTemplate:\n"                               /* 6 */
	  "    spec:\n"                                    /* 7 */
	  "      template:\n"                              /* 8 */
	  "        spec:\n"                                /* 9 */
	  "          securityContext: {runAsUser: 1000}\n" /* 10 */
	  "          containers:\n"                        /* 11 */
	  "          - name: web\n"                        /* 12 */
	  "            image: busybox@" DIGEST "\n"        /* 13 */
	  "            securityContext: {privileged: true}\n", /* 14 */
	  14 },
	{ "PodTemplate",
	  "apiVersion: v1\n"                               /* 1 */
	  "kind: PodTemplate\n"                            /* 2 */
	  "metadata: {name: api}\n"                        /* 3 */
	  "template:\n"                                    /* 4 */
	  "  spec:\n"                                      /* 5 */
	  "    containers:\n"                              /* 6 */
	  "    - name: web\n"                              /* 7 */
	  "      image: nginx@" DIGEST "\n"                /* 8 */
	  "      securityContext:\n"                       /* 9 */
	  "        runAsUser: 1000\n"                      /* 10 */
	  "        privileged: true\n",                    /* 11 */
	  11 },
	{ "List",
	  "apiVersion: v1\n"                               /* 1 */
	  "kind: List\n"                                   /* 2 */
	  "items:\n"                                       /* 3 */
	  "- apiVersion: v1\n"                             /* 4 */
	  "  kind: Pod\n"                                  /* 5 */
	  "  metadata: {name: api}\n"                      /* 6 */
	  "  spec:\n"                                      /* 7 */
	  "    containers:\n"                              /* 8 */
	  "    - name: web\n"                              /* 9 */
	  "      image: nginx@" DIGEST "\n"                /* 10 */
	  "      securityContext:\n"                       /* 11 */
	  "        runAsNonRoot: true\n"                   /* 12 */
	  "        privileged: true\n",                    /* 13 */
	  13 },
};

Test(containers, every_pod_bearing_kind_has_its_containers_checked)
{
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(pod_kinds); i++) {
		gate_policy_findings f = k8s(pod_kinds[i].yaml);
		char want[128];
		cr_log_info("kind %s", pod_kinds[i].kind);
		snprintf(want, sizeof(want), "container 'web' of %s 'api' runs privileged",
			 strcmp(pod_kinds[i].kind, "List") ? pod_kinds[i].kind : "Pod");
		expect_one(&f, "privileged", pod_kinds[i].line, want);
		cr_expect_eq(f.count, 1, "%s: only the privileged finding", pod_kinds[i].kind);
		gate_policy_findings_dispose(&f);
	}
}

Test(containers, the_same_manifests_without_privileged_true_have_no_finding)
{
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(pod_kinds); i++) {
		char *yaml = replace(pod_kinds[i].yaml, "privileged: true", "privileged: false");
		gate_policy_findings f = k8s(yaml);
		cr_log_info("kind %s", pod_kinds[i].kind);
		expect_none(&f, "privileged");
		cr_expect_eq(f.count, 0, "%s: nothing to report", pod_kinds[i].kind);
		gate_policy_findings_dispose(&f);
		free(yaml);
	}
}

Test(containers, kinds_without_a_pod_spec_are_skipped)
{
	static const char *const kinds[] = { "ConfigMap", "Service", "Rollout", "deployment" };
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(kinds); i++) {
		char *yaml = replace(TEMPLATE_KIND("KIND"), "KIND", kinds[i]);
		gate_policy_findings f = k8s(yaml);
		cr_expect_eq(f.count, 0, "kind %s is not a workload", kinds[i]);
		gate_policy_findings_dispose(&f);
		free(yaml);
	}
}

Test(containers, privileged_init_container_in_a_cronjob_is_found_at_its_line)
{
	gate_policy_findings f = k8s(
		"apiVersion: batch/v1\n"                         /* 1 */
		"kind: CronJob\n"                                /* 2 */
		"metadata: {name: nightly}\n"                    /* 3 */
		"spec:\n"                                        /* 4 */
		"  jobTemplate:\n"                               /* 5 */
		"    spec:\n"                                    /* 6 */
		"      template:\n"                              /* 7 */
		"        spec:\n"                                /* 8 */
		"          securityContext: {runAsNonRoot: true}\n" /* 9 */
		"          initContainers:\n"                    /* 10 */
		"          - name: migrate\n"                    /* 11 */
		"            image: busybox@" DIGEST "\n"        /* 12 */
		"            securityContext:\n"                 /* 13 */
		"              privileged: true\n"               /* 14 */
		"          containers:\n"                        /* 15 */
		"          - name: job\n"                        /* 16 */
		"            image: busybox@" DIGEST "\n");      /* 17 */
	expect_one(&f, "privileged", 14, "init container 'migrate' of CronJob 'nightly' runs privileged");
	cr_expect_eq(f.count, 1);
	gate_policy_findings_dispose(&f);
}

Test(containers, ephemeral_containers_are_checked_too)
{
	gate_policy_findings f = k8s(
		"kind: Pod\n"                                    /* 1 */
		"metadata: {name: p}\n"                          /* 2 */
		"spec:\n"                                        /* 3 */
		"  securityContext: {runAsNonRoot: true}\n"      /* 4 */
		"  ephemeralContainers:\n"                       /* 5 */
		"  - name: debug\n"                              /* 6 */
		"    image: busybox@" DIGEST "\n"                /* 7 */
		"    securityContext: {privileged: true}\n");    /* 8 */
	expect_one(&f, "privileged", 8, "ephemeral container 'debug' of Pod 'p'");
	gate_policy_findings_dispose(&f);
}

Test(containers, a_finding_says_what_where_and_how_to_fix_with_the_checks_action)
{
	gate_container_policy p = every_check(GATE_POLICY_OFF);
	gate_policy_findings f;
	p.privileged = GATE_POLICY_REJECT;
	f = check_with(&p, GATE_CONTAINER_FILE_YAML, "k8s/api.yaml", pod_kinds[0].yaml);
	cr_assert_eq(f.count, 1);
	cr_expect_str_eq(f.items[0].check, "policy.container.privileged");
	cr_expect_str_eq(f.items[0].path, "k8s/api.yaml");
	cr_expect_eq(f.items[0].line, 13);
	cr_expect_str_eq(f.items[0].found, "container 'web' of Deployment 'api' runs privileged "
					   "(securityContext.privileged: true)");
	cr_expect(strstr(f.items[0].fix, "set securityContext.privileged to false") != NULL, "%s",
		  f.items[0].fix);
	cr_expect_eq(f.items[0].action, GATE_POLICY_REJECT);
	gate_policy_findings_dispose(&f);
}

Test(containers, checks_that_are_off_report_nothing)
{
	gate_container_policy p = every_check(GATE_POLICY_OFF);
	gate_policy_findings f;
	const char *bad = "kind: Pod\n"
			  "spec:\n"
			  "  hostNetwork: true\n"
			  "  volumes: [{name: h, hostPath: {path: /}}]\n"
			  "  containers:\n"
			  "  - name: web\n"
			  "    image: nginx\n"
			  "    securityContext: {privileged: true, runAsUser: 0,\n"
			  "      allowPrivilegeEscalation: true, capabilities: {add: [ALL]}}\n";
	f = check_with(&p, GATE_CONTAINER_FILE_YAML, "a.yaml", bad);
	cr_expect_eq(f.count, 0);
	gate_policy_findings_dispose(&f);
	f = k8s(bad);
	cr_expect_eq(f.count, 7, "one finding per check when all are on");
	dump(&f);
	gate_policy_findings_dispose(&f);
}

/* ---- Kubernetes: each check --------------------------------------------------------- */

Test(containers, privilege_escalation_is_reported_only_when_explicitly_allowed)
{
	static const char *const yaml =
		"kind: Deployment\n"                             /* 1 */
		"metadata: {name: api}\n"                        /* 2 */
		"spec:\n"                                        /* 3 */
		"  template:\n"                                  /* 4 */
		"    spec:\n"                                    /* 5 */
		"      containers:\n"                            /* 6 */
		"      - name: web\n"                            /* 7 */
		"        securityContext:\n"                     /* 8 */
		"          allowPrivilegeEscalation: VALUE\n";   /* 9 */
	static const struct {
		const char *value;
		size_t n;
	} cases[] = { { "true", 1 }, { "yes", 1 }, { "True", 1 }, { "false", 0 }, { "null", 0 } };
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char *y = replace(yaml, "VALUE", cases[i].value);
		gate_policy_findings f = k8s(y);
		cr_log_info("allowPrivilegeEscalation: %s", cases[i].value);
		if (cases[i].n)
			expect_one(&f, "privilege_escalation", 9,
				   "container 'web' of Deployment 'api' allows privilege escalation");
		else
			expect_none(&f, "privilege_escalation");
		gate_policy_findings_dispose(&f);
		free(y);
	}
	{
		char *y = replace(yaml, "          allowPrivilegeEscalation: VALUE\n", "          {}\n");
		gate_policy_findings f = k8s(y);
		expect_none(&f, "privilege_escalation");
		gate_policy_findings_dispose(&f);
		free(y);
	}
}

#define ROOT_POD                                          \
	"kind: Pod\n"                           /* 1 */   \
	"metadata: {name: p}\n"                 /* 2 */   \
	"spec:\n"                               /* 3 */   \
	"  securityContext: POD\n"              /* 4 */   \
	"  containers:\n"                       /* 5 */   \
	"  - name: web\n"                       /* 6 */   \
	"    image: nginx@" DIGEST "\n"         /* 7 */   \
	"    securityContext: CTR\n"            /* 8 */

Test(containers, run_as_root_follows_pod_and_container_security_contexts)
{
	static const struct {
		const char *pod, *ctr;
		int line;         /* 0: no finding */
		const char *text;
	} cases[] = {
		{ "{}", "{}", 6, "may run as root: neither the pod nor the container" },
		{ "{runAsNonRoot: true}", "{}", 0, NULL },
		{ "{}", "{runAsNonRoot: true}", 0, NULL },
		{ "{runAsNonRoot: yes}", "{}", 0, NULL },
		{ "{runAsNonRoot: true}", "{runAsNonRoot: false}", 6, "runAsNonRoot is false" },
		{ "{runAsUser: 0}", "{}", 4, "runs as root (runAsUser: 0 in the pod's securityContext)" },
		{ "{}", "{runAsUser: 0}", 8, "runs as root (runAsUser: 0 in the container's" },
		{ "{runAsNonRoot: true}", "{runAsUser: 0}", 8, "runAsUser: 0" },
		{ "{}", "{runAsUser: 0x0, runAsNonRoot: true}", 8, "runAsUser: 0" },
		{ "{}", "{runAsUser: '0'}", 8, "runAsUser: 0" },
		{ "{runAsUser: 0}", "{runAsUser: 1000}", 0, NULL },
		{ "{runAsUser: 1000}", "{}", 0, NULL },
		{ "{runAsUser: 1000}", "{runAsUser: 0}", 8, "container's" },
		{ "{}", "{runAsUser: 1_000}", 0, NULL },
		{ "{}", "{runAsUser: abc}", 6, "may run as root" },
		{ "null", "null", 6, "may run as root" },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char *a = replace(ROOT_POD, "POD", cases[i].pod);
		char *y = replace(a, "CTR", cases[i].ctr);
		gate_policy_findings f = k8s(y);
		cr_log_info("pod %s, container %s", cases[i].pod, cases[i].ctr);
		if (cases[i].line)
			expect_one(&f, "run_as_root", cases[i].line, cases[i].text);
		else
			expect_none(&f, "run_as_root");
		gate_policy_findings_dispose(&f);
		free(a);
		free(y);
	}
}

Test(containers, run_as_root_is_reported_once_per_container)
{
	gate_policy_findings f = k8s(
		"kind: Pod\n"                                    /* 1 */
		"metadata: {name: p}\n"                          /* 2 */
		"spec:\n"                                        /* 3 */
		"  securityContext: {runAsUser: 0}\n"            /* 4 */
		"  initContainers:\n"                            /* 5 */
		"  - {name: init, image: a}\n"                   /* 6 */
		"  containers:\n"                                /* 7 */
		"  - {name: a, image: a, securityContext: {runAsUser: 0, runAsNonRoot: false}}\n" /* 8 */
		"  - {name: b, image: a}\n");                    /* 9 */
	cr_expect_eq(count(&f, "run_as_root"), 3);
	gate_policy_findings_dispose(&f);
}

Test(containers, host_namespaces_are_reported_per_flag_at_its_line)
{
	gate_policy_findings f = k8s(
		"kind: DaemonSet\n"                              /* 1 */
		"metadata: {name: agent}\n"                      /* 2 */
		"spec:\n"                                        /* 3 */
		"  template:\n"                                  /* 4 */
		"    spec:\n"                                    /* 5 */
		"      hostNetwork: true\n"                      /* 6 */
		"      hostPID: true\n"                          /* 7 */
		"      hostIPC: false\n"                         /* 8 */
		"      containers: []\n");                       /* 9 */
	const gate_policy_finding *x;
	cr_assert_eq(count(&f, "host_namespaces"), 2);
	x = first(&f, "host_namespaces");
	cr_expect_eq(x->line, 6);
	cr_expect_str_eq(x->found, "DaemonSet 'agent' shares the host's network namespace (hostNetwork: true)");
	cr_expect_eq(f.items[1].line, 7);
	cr_expect(strstr(f.items[1].found, "process ID (PID) namespace (hostPID: true)"));
	gate_policy_findings_dispose(&f);

	f = k8s("kind: Pod\nspec:\n  hostIPC: on\n");
	expect_one(&f, "host_namespaces", 3, "Pod (unnamed) shares the host's IPC namespace");
	gate_policy_findings_dispose(&f);
	f = k8s("kind: Pod\nspec:\n  hostNetwork: false\n  hostPID: no\n");
	expect_none(&f, "host_namespaces");
	gate_policy_findings_dispose(&f);
}

Test(containers, host_path_volumes_are_reported_and_other_volumes_are_not)
{
	gate_policy_findings f = k8s(
		"kind: Pod\n"                                    /* 1 */
		"metadata: {name: p}\n"                          /* 2 */
		"spec:\n"                                        /* 3 */
		"  volumes:\n"                                   /* 4 */
		"  - name: cache\n"                              /* 5 */
		"    emptyDir: {}\n"                             /* 6 */
		"  - name: sock\n"                               /* 7 */
		"    hostPath:\n"                                /* 8 */
		"      path: /var/run/docker.sock\n"             /* 9 */
		"  - name: cfg\n"                                /* 10 */
		"    configMap: {name: cfg}\n"                   /* 11 */
		"  - name: nothing\n"                            /* 12 */
		"    hostPath: null\n");                         /* 13 */
	expect_one(&f, "host_path", 8,
		   "Pod 'p' mounts host path '/var/run/docker.sock' (volume 'sock', hostPath)");
	gate_policy_findings_dispose(&f);
}

#define CAPS_POD                                          \
	"kind: Pod\n"                           /* 1 */   \
	"metadata: {name: p}\n"                 /* 2 */   \
	"spec:\n"                               /* 3 */   \
	"  containers:\n"                       /* 4 */   \
	"  - name: web\n"                       /* 5 */   \
	"    securityContext:\n"                /* 6 */   \
	"      capabilities:\n"                 /* 7 */   \
	"        drop: [ALL]\n"                 /* 8 */   \
	"        add: [CAPS]\n"                 /* 9 */

Test(containers, capabilities_beyond_the_pod_security_baseline_are_reported)
{
	static const struct {
		const char *caps;
		size_t n;
	} cases[] = {
		{ "SYS_ADMIN", 1 },        { "cap_sys_admin", 1 },   { "ALL", 1 },
		{ "NET_ADMIN", 1 },        { "net_raw", 1 },          { "SYS_PTRACE", 1 },
		{ "SYS_MODULE", 1 },       { "DAC_READ_SEARCH", 1 },  { "BPF", 1 },
		{ "NET_BIND_SERVICE", 0 }, { "CAP_CHOWN", 0 },        { "chown, kill, setuid", 0 },
		{ "NET_BIND_SERVICE, SYS_TIME, CAP_SYS_ADMIN", 2 }, { "", 0 },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char *y = replace(CAPS_POD, "CAPS", cases[i].caps);
		gate_policy_findings f = k8s(y);
		cr_log_info("add: [%s]", cases[i].caps);
		cr_expect_eq(count(&f, "capabilities"), cases[i].n, "add: [%s]", cases[i].caps);
		if (cases[i].n) {
			cr_expect_eq(first(&f, "capabilities")->line, 9);
			cr_expect(strstr(first(&f, "capabilities")->found,
					 "container 'web' of Pod 'p' adds capability "));
		}
		gate_policy_findings_dispose(&f);
		free(y);
	}
}

#define IMAGE_POD                                         \
	"kind: Pod\n"                           /* 1 */   \
	"metadata: {name: p}\n"                 /* 2 */   \
	"spec:\n"                               /* 3 */   \
	"  containers:\n"                       /* 4 */   \
	"  - name: web\n"                       /* 5 */   \
	"    image: 'IMAGE'\n"                  /* 6 */

Test(containers, images_must_be_pinned_by_a_full_digest)
{
	static const struct {
		const char *image;
		int pinned;
	} cases[] = {
		{ "nginx", 0 },
		{ "nginx:1.25", 0 },
		{ "nginx:latest", 0 },
		{ "nginx@" DIGEST, 1 },
		{ "nginx:1.25@" DIGEST, 1 },
		{ "ghcr.io/acme/api@" DIGEST, 1 },
		{ "localhost:5000/api@" DIGEST, 1 },
		{ "nginx@sha512:" HEX64 HEX64, 1 },
		{ "nginx@sha256:" "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde", 0 },
		{ "nginx@sha256:" "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF", 0 },
		{ "nginx@" DIGEST "0", 0 },
		{ "nginx@md5:0123456789abcdef0123456789abcdef", 0 },
		{ "@" DIGEST, 0 },
		{ "nginx@sha256:", 0 },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char *y = replace(IMAGE_POD, "IMAGE", cases[i].image);
		gate_policy_findings f = k8s(y);
		cr_log_info("image %s", cases[i].image);
		if (cases[i].pinned)
			expect_none(&f, "unpinned_images");
		else
			expect_one(&f, "unpinned_images", 6, "which is not pinned by digest");
		gate_policy_findings_dispose(&f);
		free(y);
	}
}

Test(containers, an_unpinned_image_message_names_the_container_and_image)
{
	char *y = replace(IMAGE_POD, "IMAGE", "nginx:1.25");
	gate_policy_findings f = k8s(y);
	cr_assert_eq(count(&f, "unpinned_images"), 1);
	cr_expect_str_eq(first(&f, "unpinned_images")->found,
			 "container 'web' of Pod 'p' uses image 'nginx:1.25', which is not pinned by digest");
	cr_expect(strstr(first(&f, "unpinned_images")->fix, "@sha256:"));
	gate_policy_findings_dispose(&f);
	free(y);
}

Test(containers, images_from_variables_or_templates_are_reported_as_such)
{
	static const char *const images[] = { "${IMAGE}", "{{ .Values.image }}", "$(IMG)" };
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(images); i++) {
		char *y = replace(IMAGE_POD, "IMAGE", images[i]);
		gate_policy_findings f = k8s(y);
		expect_one(&f, "unpinned_images", 6, "chosen by a variable or template");
		gate_policy_findings_dispose(&f);
		free(y);
	}
}

Test(containers, registries_allow_listed_images_and_report_others_even_when_pinned)
{
	static const char *const allowed[] = { "ghcr.io", "registry.example.com:5000", "*.gcr.io",
					       "docker.io/library", "quay.io/acme/" };
	static const struct {
		const char *image;
		const char *registry; /* NULL: allowed */
	} cases[] = {
		{ "nginx:1.25", NULL },
		{ "library/nginx", NULL },
		{ "docker.io/library/nginx@" DIGEST, NULL },
		{ "index.docker.io/library/redis", NULL },
		{ "bitnami/nginx", "docker.io" },
		{ "docker.io/bitnami/nginx@" DIGEST, "docker.io" },
		{ "ghcr.io/acme/api@" DIGEST, NULL },
		{ "GHCR.IO/acme/api", NULL },
		{ "evil.example/acme/api@" DIGEST, "evil.example" },
		{ "ghcr.io.evil.example/x", "ghcr.io.evil.example" },
		{ "registry.example.com:5000/team/app", NULL },
		{ "registry.example.com/team/app", "registry.example.com" },
		{ "eu.gcr.io/project/image", NULL },
		{ "gcr.io/project/image", "gcr.io" },
		{ "localhost/app", "localhost" },
		{ "localhost:5000/app", "localhost:5000" },
		{ "quay.io/acme/tool", NULL },
		{ "quay.io/acmeevil/tool", "quay.io" },
		{ "Acme/app", "acme" },
		{ "ghcr.io/acme/${APP}:1", NULL },
	};
	gate_container_policy p = every_check(GATE_POLICY_OFF);
	size_t i;

	p.registries = allowed;
	p.n_registries = GATE_ARRAY_SIZE(allowed);
	p.registries_action = GATE_POLICY_REJECT;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char *y = replace(IMAGE_POD, "IMAGE", cases[i].image);
		gate_policy_findings f = check_with(&p, GATE_CONTAINER_FILE_YAML, "a.yaml", y);
		cr_log_info("image %s", cases[i].image);
		if (cases[i].registry) {
			char want[128];
			snprintf(want, sizeof(want), "from registry '%s', which is not an allowed registry",
				 cases[i].registry);
			expect_one(&f, "registries", 6, want);
			cr_expect_eq(f.items[0].action, GATE_POLICY_REJECT);
			cr_expect(strstr(f.items[0].fix, "ghcr.io, registry.example.com:5000"), "%s",
				  f.items[0].fix);
		} else {
			expect_none(&f, "registries");
		}
		gate_policy_findings_dispose(&f);
		free(y);
	}
}

Test(containers, a_registry_chosen_by_a_variable_cannot_pass_the_allow_list)
{
	static const char *const allowed[] = { "ghcr.io" };
	gate_container_policy p = every_check(GATE_POLICY_OFF);
	char *y = replace(IMAGE_POD, "IMAGE", "${REGISTRY}/app@" DIGEST);
	gate_policy_findings f;

	p.registries = allowed;
	p.n_registries = 1;
	p.registries_action = GATE_POLICY_WARN;
	f = check_with(&p, GATE_CONTAINER_FILE_YAML, "a.yaml", y);
	expect_one(&f, "registries", 6, "whose registry comes from a variable or template");
	gate_policy_findings_dispose(&f);
	free(y);
}

Test(containers, registries_are_not_checked_without_a_list_and_an_empty_list_allows_none)
{
	static const char *const none[] = { NULL };
	gate_container_policy p = every_check(GATE_POLICY_OFF);
	char *y = replace(IMAGE_POD, "IMAGE", "ghcr.io/a/b@" DIGEST);
	gate_policy_findings f;

	p.registries_action = GATE_POLICY_REJECT;
	f = check_with(&p, GATE_CONTAINER_FILE_YAML, "a.yaml", y);
	expect_none(&f, "registries");
	gate_policy_findings_dispose(&f);

	p.registries = none;
	p.n_registries = 0;
	f = check_with(&p, GATE_CONTAINER_FILE_YAML, "a.yaml", y);
	expect_one(&f, "registries", 6, "from registry 'ghcr.io'");
	cr_expect(strstr(f.items[0].fix, "none is allowed"));
	gate_policy_findings_dispose(&f);
	free(y);
}

/* ---- Kubernetes: YAML as kubectl reads it ------------------------------------------- */

Test(containers, every_document_of_a_stream_is_checked_at_its_own_lines)
{
	gate_policy_findings f = k8s(
		"kind: ConfigMap\n"                              /* 1 */
		"data: {a: b}\n"                                 /* 2 */
		"---\n"                                          /* 3 */
		"kind: Pod\n"                                    /* 4 */
		"metadata: {name: one}\n"                        /* 5 */
		"spec:\n"                                        /* 6 */
		"  containers: [{name: a, securityContext: {privileged: true}}]\n" /* 7 */
		"---\n"                                          /* 8 */
		"# a comment\n"                                  /* 9 */
		"kind: Pod\n"                                    /* 10 */
		"metadata: {name: two}\n"                        /* 11 */
		"spec:\n"                                        /* 12 */
		"  containers:\n"                                /* 13 */
		"  - name: b\n"                                  /* 14 */
		"    securityContext:\n"                         /* 15 */
		"      privileged: true\n"                       /* 16 */
		"...\n");
	cr_assert_eq(count(&f, "privileged"), 2);
	cr_expect_eq(f.items[0].line, 7);
	cr_expect(strstr(f.items[0].found, "Pod 'one'"));
	cr_expect_eq(first(&f, "run_as_root")->line, 7);
	cr_expect_eq(f.items[f.count - 2].line, 16);
	gate_policy_findings_dispose(&f);
}

Test(containers, a_broken_document_does_not_hide_the_ones_before_it)
{
	gate_policy_findings f = k8s(
		"kind: Pod\n"                                    /* 1 */
		"spec:\n"                                        /* 2 */
		"  containers: [{name: a, securityContext: {privileged: true}}]\n" /* 3 */
		"---\n"                                          /* 4 */
		"kind: Pod\n"                                    /* 5 */
		"spec:\n"                                        /* 6 */
		"  containers: [{name: b, securityContext: {privileged: true}}]\n" /* 7 */
		"  broken: [unclosed\n"                          /* 8 */
		"---\n");
	expect_one(&f, "privileged", 3, "container 'a'");
	gate_policy_findings_dispose(&f);
}

Test(containers, anchors_aliases_and_merge_keys_are_resolved)
{
	gate_policy_findings f = k8s(
		"kind: Deployment\n"                             /* 1 */
		"metadata: {name: api}\n"                        /* 2 */
		"x-defaults:\n"                                  /* 3 */
		"  sc: &sc {privileged: true, runAsNonRoot: true}\n" /* 4 */
		"  ctr: &ctr\n"                                  /* 5 */
		"    name: sidecar\n"                            /* 6 */
		"    image: envoy@" DIGEST "\n"                  /* 7 */
		"    securityContext: *sc\n"                     /* 8 */
		"spec:\n"                                        /* 9 */
		"  template:\n"                                  /* 10 */
		"    spec:\n"                                    /* 11 */
		"      containers:\n"                            /* 12 */
		"      - *ctr\n"                                 /* 13 */
		"      - name: web\n"                            /* 14 */
		"        image: web@" DIGEST "\n"                /* 15 */
		"        securityContext:\n"                     /* 16 */
		"          <<: *sc\n"                            /* 17 */
		"      - name: safe\n"                           /* 18 */
		"        image: web@" DIGEST "\n"                /* 19 */
		"        securityContext:\n"                     /* 20 */
		"          <<: *sc\n"                            /* 21 */
		"          privileged: false\n");                /* 22 */
	cr_assert_eq(count(&f, "privileged"), 2);
	cr_expect_eq(f.items[0].line, 4, "an alias reports where the value is written");
	cr_expect(strstr(f.items[0].found, "container 'sidecar'"));
	cr_expect(strstr(f.items[1].found, "container 'web'"));
	cr_expect_eq(f.count, 2, "merged runAsNonRoot holds; an explicit key overrides a merge");
	gate_policy_findings_dispose(&f);
}

Test(containers, flow_style_and_yaml_1_1_booleans_are_read_like_kubectl)
{
	gate_policy_findings f = k8s(
		"{kind: Pod, metadata: {name: p}, spec: {securityContext: {runAsNonRoot: on},\n"
		" containers: [{name: a, image: \"x@" DIGEST "\", securityContext: {privileged: Yes}}]}}\n");
	expect_one(&f, "privileged", 2, "container 'a' of Pod 'p'");
	cr_expect_eq(f.count, 1);
	gate_policy_findings_dispose(&f);
}

Test(containers, a_duplicated_key_counts_when_any_of_its_values_is_dangerous)
{
	gate_policy_findings f = k8s(
		"kind: Pod\n"                                    /* 1 */
		"spec:\n"                                        /* 2 */
		"  containers:\n"                                /* 3 */
		"  - name: a\n"                                  /* 4 */
		"    securityContext:\n"                         /* 5 */
		"      privileged: true\n"                       /* 6 */
		"      privileged: false\n"                      /* 7 */
		"      runAsNonRoot: true\n"                     /* 8 */
		"      runAsNonRoot: false\n");                  /* 9 */
	expect_one(&f, "privileged", 6, NULL);
	expect_one(&f, "run_as_root", 4, "runAsNonRoot is false");
	gate_policy_findings_dispose(&f);
}

Test(containers, yaml_that_is_not_a_manifest_yields_nothing)
{
	static const char *const texts[] = {
		"",
		"just a string\n",
		"- a\n- b\n",
		"kind: [Pod]\nspec: {containers: [{securityContext: {privileged: true}}]}\n",
		"kind: Pod\nspec: [1, 2]\n",
		"kind: Pod\nspec: {containers: {a: b}}\n",
		"kind: Pod\nspec: {containers: [1, [2], null]}\n",
		"{{ if .Values.x }}\nkind: Pod\n",
		"kind: Pod\nspec: *undefined\n",
		"a: &a [*a]\nkind: Pod\n",
		"\xff\xfe\x00garbage",
		"%YAML 9.9\n---\nkind: Pod\n",
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(texts); i++) {
		gate_policy_findings f = k8s(texts[i]);
		cr_expect_eq(f.count, 0, "text %zu", i);
		gate_policy_findings_dispose(&f);
	}
}

Test(containers, names_from_the_content_are_cut_to_a_sane_length)
{
	char *big = malloc(5000), *y;
	gate_policy_findings f;
	memset(big, 'n', 4999);
	big[4999] = '\0';
	y = replace("kind: Pod\nmetadata: {name: NAME}\nspec: {containers: [{name: NAME, "
		    "securityContext: {privileged: true}}]}\n",
		    "NAME", big);
	f = k8s(y);
	cr_assert_eq(count(&f, "privileged"), 1);
	cr_expect_lt(strlen(first(&f, "privileged")->found), 400);
	cr_expect(strstr(first(&f, "privileged")->found, "nnn...' of Pod 'nnn"));
	gate_policy_findings_dispose(&f);
	free(big);
	free(y);
}

/* ---- hostile YAML ------------------------------------------------------------------- */

static void expect_quick(gate_container_file kind, const char *text, size_t len, double ms)
{
	gate_container_policy p = every_check(GATE_POLICY_WARN);
	gate_policy_findings f = GATE_POLICY_FINDINGS_INIT;
	double t0 = now_ms();
	int rc = gate_containers_check(&f, &p, "x", kind, text, len);
	double took = now_ms() - t0;
	cr_expect_eq(rc, 0);
	cr_expect_lt(took, ms, "took %.0f ms", took);
	cr_expect_leq(f.count, GATE_POLICY_FINDINGS_MAX);
	gate_policy_findings_dispose(&f);
}

/* Ten levels of ten aliases: 10^10 nodes if expanded. */
static char *laughs(const char *tail)
{
	gate_buf b = GATE_BUF_INIT;
	int i, j;
	gate_buf_puts(&b, "l0: &l0 {name: x, securityContext: {privileged: true}}\n");
	for (i = 1; i < 10; i++) {
		gate_buf_printf(&b, "l%d: &l%d [", i, i);
		for (j = 0; j < 10; j++)
			gate_buf_printf(&b, "%s*l%d", j ? ", " : "", i - 1);
		gate_buf_puts(&b, "]\n");
	}
	gate_buf_puts(&b, tail);
	cr_assert(!b.oom);
	return gate_buf_detach(&b);
}

Test(containers, a_yaml_bomb_costs_nothing)
{
	static const char *const tails[] = {
		"kind: Pod\nspec: {containers: *l9}\n",
		"kind: List\nitems: *l9\n",
		"kind: Pod\nspec: {containers: [*l0, *l0, *l0]}\n",
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(tails); i++) {
		char *y = laughs(tails[i]);
		expect_quick(GATE_CONTAINER_FILE_YAML, y, strlen(y), 3000);
		expect_quick(GATE_CONTAINER_FILE_COMPOSE, y, strlen(y), 3000);
		gate_free(y);
	}
}

/* A walk the budget cut short is incomplete, and incomplete rejects: never a silent pass. */
Test(containers, a_yaml_bomb_past_the_work_budget_is_rejected_as_incomplete)
{
	/* every level merges the one below ten times: a missing key costs 10^12 lookups */
	gate_container_policy p = every_check(GATE_POLICY_REJECT);
	gate_buf b = GATE_BUF_INIT;
	gate_policy_findings f;
	size_t i, incomplete = 0;
	int j, k;
	gate_buf_puts(&b, "m0: &m0 {a: 1}\n");
	for (j = 1; j < 13; j++) {
		gate_buf_printf(&b, "m%d: &m%d {<<: [", j, j);
		for (k = 0; k < 10; k++)
			gate_buf_printf(&b, "%s*m%d", k ? ", " : "", j - 1);
		gate_buf_puts(&b, "]}\n");
	}
	gate_buf_puts(&b, "kind: Pod\nspec:\n  <<: *m12\n  containers: [{name: x, image: y}]\n");
	cr_assert(!b.oom);
	f = check_with(&p, GATE_CONTAINER_FILE_YAML, "bomb.yaml", gate_buf_cstr(&b));
	for (i = 0; i < f.count; i++)
		if (is_check(&f.items[i], "incomplete")) {
			incomplete++;
			cr_expect_eq(f.items[i].action, GATE_POLICY_REJECT);
		}
	cr_expect_eq(incomplete, 1, "%zu findings, no policy.container.incomplete", f.count);
	gate_policy_findings_dispose(&f);
	gate_buf_dispose(&b);
}

Test(containers, merge_key_fan_out_is_bounded_by_the_work_budget)
{
	/* every level merges the one below ten times: a missing key costs 10^12 lookups */
	gate_buf b = GATE_BUF_INIT;
	int i, j;
	gate_buf_puts(&b, "m0: &m0 {a: 1}\n");
	for (i = 1; i < 13; i++) {
		gate_buf_printf(&b, "m%d: &m%d {<<: [", i, i);
		for (j = 0; j < 10; j++)
			gate_buf_printf(&b, "%s*m%d", j ? ", " : "", i - 1);
		gate_buf_puts(&b, "]}\n");
	}
	gate_buf_puts(&b, "kind: Pod\nspec:\n  <<: *m12\n  containers:\n");
	for (i = 0; i < 200; i++)
		gate_buf_puts(&b, "  - {<<: *m12, securityContext: *m12}\n");
	gate_buf_puts(&b, "services: {<<: *m12, web: *m12}\n");
	cr_assert(!b.oom);
	expect_quick(GATE_CONTAINER_FILE_YAML, b.ptr, b.len, 3000);
	expect_quick(GATE_CONTAINER_FILE_COMPOSE, b.ptr, b.len, 3000);
	gate_buf_dispose(&b);
}

Test(containers, deep_nesting_neither_crashes_nor_hides_shallow_findings)
{
	size_t n = 200000, i;
	char *deep = malloc(2 * n + 1);
	gate_buf b = GATE_BUF_INIT;
	gate_policy_findings f;

	for (i = 0; i < n; i++)
		deep[i] = '[';
	for (i = 0; i < n; i++)
		deep[n + i] = ']';
	deep[2 * n] = '\0';
	expect_quick(GATE_CONTAINER_FILE_YAML, deep, 2 * n, 5000);
	expect_quick(GATE_CONTAINER_FILE_COMPOSE, deep, n, 5000);
	free(deep);

	/* 300 levels of junk beside a privileged container: the junk is cut, the finding stays */
	gate_buf_puts(&b, "kind: Pod\nspec:\n  containers: [{name: a, securityContext: {privileged: true}}]\n"
			  "junk: ");
	for (i = 0; i < 300; i++)
		gate_buf_puts(&b, "{a: ");
	gate_buf_puts(&b, "x");
	for (i = 0; i < 300; i++)
		gate_buf_puts(&b, "}");
	gate_buf_puts(&b, "\n");
	f = k8s(b.ptr);
	expect_one(&f, "privileged", 3, NULL);
	gate_policy_findings_dispose(&f);
	gate_buf_dispose(&b);
}

Test(containers, garbage_of_every_kind_never_crashes)
{
	static const gate_container_file kinds[] = { GATE_CONTAINER_FILE_YAML, GATE_CONTAINER_FILE_COMPOSE,
						     GATE_CONTAINER_FILE_DOCKERFILE };
	static const char alphabet[] = "{}[]:,-&*!|>'\"#%@`\\ \t\n\r$<ab0FROMUSER";
	uint32_t seed = 12345;
	char *buf = malloc(65536);
	size_t round, i, k;

	for (round = 0; round < 40; round++)
		for (k = 0; k < GATE_ARRAY_SIZE(kinds); k++) {
			size_t len = 1 + (round * 1637) % 65535;
			for (i = 0; i < len; i++) {
				seed = seed * 1103515245u + 12345u;
				buf[i] = round % 2 ? (char)(seed >> 16)
						   : alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
			}
			expect_quick(kinds[k], buf, len, 5000);
		}
	free(buf);
}

Test(containers, documents_past_the_fifty_thousandth_make_the_check_incomplete)
{
	static const char pod[] = "kind: Pod\nspec: {containers: [{securityContext: {privileged: true}}]}\n";
	size_t before[] = { 49999, 50000 }, want[] = { 1, 0 }, i, j;

	for (i = 0; i < GATE_ARRAY_SIZE(before); i++) {
		gate_buf b = GATE_BUF_INIT;
		gate_policy_findings f;
		for (j = 0; j < before[i]; j++)
			gate_buf_puts(&b, "---\n");
		gate_buf_puts(&b, "---\n");
		gate_buf_puts(&b, pod);
		cr_assert(!b.oom);
		f = k8s(b.ptr);
		cr_expect_eq(count(&f, "privileged"), want[i], "%zu documents before the pod", before[i]);
		cr_expect_eq(count(&f, "incomplete"), 1 - want[i], "%zu documents before the pod", before[i]);
		gate_policy_findings_dispose(&f);
		gate_buf_dispose(&b);
	}
}

Test(containers, files_over_16_mib_are_incomplete)
{
	size_t len = (size_t)16 * 1024 * 1024 + 1;
	const char *head = "kind: Pod\nspec: {containers: [{securityContext: {privileged: true}}]}\n#";
	char *big = malloc(len + 1);
	gate_container_policy p = every_check(GATE_POLICY_WARN);
	gate_policy_findings f = GATE_POLICY_FINDINGS_INIT;

	memset(big, 'x', len);
	memcpy(big, head, strlen(head));
	big[len] = '\0';
	cr_expect_eq(gate_containers_check(&f, &p, "a.yaml", GATE_CONTAINER_FILE_YAML, big, len), 0);
	cr_expect_eq(f.count, 1);
	cr_expect_eq(count(&f, "incomplete"), 1, "not read, so not passed");
	cr_expect_eq(f.items[0].action, GATE_POLICY_REJECT, "incomplete rejects even when checks warn");
	cr_expect(strstr(f.items[0].found, "larger than 16 MiB"), "%s", f.items[0].found);
	cr_expect_eq(gate_containers_check(&f, &p, "a.yaml", GATE_CONTAINER_FILE_YAML, big, len - 1), 0);
	cr_expect_eq(count(&f, "privileged"), 1, "16 MiB exactly is still checked");
	cr_expect_eq(count(&f, "incomplete"), 1, "and is complete");
	gate_policy_findings_dispose(&f);
	free(big);
}

/* ---- which files ------------------------------------------------------------------- */

Test(containers, file_kinds_are_known_by_name)
{
	static const struct {
		const char *path;
		gate_container_file kind;
	} cases[] = {
		{ "Dockerfile", GATE_CONTAINER_FILE_DOCKERFILE },
		{ "svc/api/Dockerfile", GATE_CONTAINER_FILE_DOCKERFILE },
		{ "dockerfile", GATE_CONTAINER_FILE_DOCKERFILE },
		{ "Dockerfile.prod", GATE_CONTAINER_FILE_DOCKERFILE },
		{ "build/api.Dockerfile", GATE_CONTAINER_FILE_DOCKERFILE },
		{ "Containerfile", GATE_CONTAINER_FILE_DOCKERFILE },
		{ "Containerfile.ci", GATE_CONTAINER_FILE_DOCKERFILE },
		{ "Dockerfile.dockerignore", GATE_CONTAINER_FILE_NONE },
		{ ".Dockerfile", GATE_CONTAINER_FILE_NONE },
		{ "compose.yaml", GATE_CONTAINER_FILE_COMPOSE },
		{ "compose.yml", GATE_CONTAINER_FILE_COMPOSE },
		{ "compose.override.yaml", GATE_CONTAINER_FILE_COMPOSE },
		{ "ops/docker-compose.yml", GATE_CONTAINER_FILE_COMPOSE },
		{ "docker-compose.prod.yaml", GATE_CONTAINER_FILE_COMPOSE },
		{ "docker-compose.json", GATE_CONTAINER_FILE_NONE },
		{ "k8s/deployment.yaml", GATE_CONTAINER_FILE_YAML },
		{ "app.YML", GATE_CONTAINER_FILE_YAML },
		{ "my-compose.yaml", GATE_CONTAINER_FILE_YAML },
		{ "compose.yaml/README", GATE_CONTAINER_FILE_NONE },
		{ "README.md", GATE_CONTAINER_FILE_NONE },
		{ "", GATE_CONTAINER_FILE_NONE },
		{ "dir/", GATE_CONTAINER_FILE_NONE },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++)
		cr_expect_eq(gate_containers_file_kind(cases[i].path), cases[i].kind, "%s", cases[i].path);
	cr_expect_eq(gate_containers_file_kind(NULL), GATE_CONTAINER_FILE_NONE);
}

Test(containers, kind_none_reads_the_file_by_its_name)
{
	gate_container_policy p = every_check(GATE_POLICY_WARN);
	gate_policy_findings f;
	const char *df = "FROM alpine:3.19\n";

	f = check_with(&p, GATE_CONTAINER_FILE_NONE, "img/Dockerfile", df);
	cr_expect_eq(count(&f, "unpinned_images"), 1);
	gate_policy_findings_dispose(&f);
	f = check_with(&p, GATE_CONTAINER_FILE_NONE, "notes.txt", df);
	cr_expect_eq(f.count, 0);
	gate_policy_findings_dispose(&f);
	f = check_with(&p, GATE_CONTAINER_FILE_NONE, "compose.yml", "services: {web: {privileged: true}}\n");
	cr_expect_eq(count(&f, "privileged"), 1);
	gate_policy_findings_dispose(&f);
}

/* ---- Compose ---------------------------------------------------------------------- */

#define COMPOSE_SAFE                                      \
	"services:\n"                           /* 1 */   \
	"  web:\n"                              /* 2 */   \
	"    image: nginx@" DIGEST "\n"         /* 3 */   \
	"    user: '1000:1000'\n"               /* 4 */

Test(containers, a_safe_compose_service_has_no_finding)
{
	gate_policy_findings f = compose(COMPOSE_SAFE "    volumes: ['data:/data', /cache]\n"
						      "    cap_add: [NET_BIND_SERVICE]\n"
						      "    security_opt: ['no-new-privileges:true']\n"
						      "    network_mode: bridge\n");
	cr_expect_eq(f.count, 0);
	dump(&f);
	gate_policy_findings_dispose(&f);
}

Test(containers, compose_privileged_service_is_found_at_its_line)
{
	gate_policy_findings f = compose(COMPOSE_SAFE "    privileged: true\n"); /* 5 */
	expect_one(&f, "privileged", 5, "service 'web' runs privileged (privileged: true)");
	gate_policy_findings_dispose(&f);
	f = compose(COMPOSE_SAFE "    privileged: 'false'\n");
	expect_none(&f, "privileged");
	gate_policy_findings_dispose(&f);
	f = compose(COMPOSE_SAFE "    privileged: 'true'\n");
	expect_one(&f, "privileged", 5, NULL);
	gate_policy_findings_dispose(&f);
}

Test(containers, compose_cap_add_is_held_to_the_same_baseline)
{
	gate_policy_findings f = compose(COMPOSE_SAFE
					 "    cap_add:\n"          /* 5 */
					 "    - CHOWN\n"           /* 6 */
					 "    - SYS_ADMIN\n"       /* 7 */
					 "    cap_drop: [ALL]\n"); /* 8 */
	expect_one(&f, "capabilities", 7, "service 'web' adds capability SYS_ADMIN (cap_add)");
	gate_policy_findings_dispose(&f);
}

Test(containers, compose_host_namespaces_are_reported)
{
	static const struct {
		const char *line;
		size_t n;
		const char *text;
	} cases[] = {
		{ "    network_mode: host\n", 1, "shares the host's network namespace (network_mode: host)" },
		{ "    network_mode: \"host\"\n", 1, "network_mode: host" },
		{ "    pid: host\n", 1, "process ID (PID) namespace (pid: host)" },
		{ "    ipc: host\n", 1, "IPC namespace (ipc: host)" },
		{ "    uts: host\n", 1, "UTS" },
		{ "    userns_mode: host\n", 1, "user-namespace remapping" },
		{ "    network_mode: bridge\n", 0, NULL },
		{ "    network_mode: service:db\n", 0, NULL },
		{ "    ipc: shareable\n", 0, NULL },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char text[512];
		gate_policy_findings f;
		snprintf(text, sizeof(text), "%s%s", COMPOSE_SAFE, cases[i].line);
		f = compose(text);
		cr_log_info("%s", cases[i].line);
		if (cases[i].n)
			expect_one(&f, "host_namespaces", 5, cases[i].text);
		else
			expect_none(&f, "host_namespaces");
		gate_policy_findings_dispose(&f);
	}
}

Test(containers, compose_bind_mounts_are_host_paths_and_named_volumes_are_not)
{
	static const struct {
		const char *volume;
		size_t n;
		const char *text;
	} cases[] = {
		{ "/var/run/docker.sock:/var/run/docker.sock", 1, "mounts host path '/var/run/docker.sock'" },
		{ "/:/host:ro", 1, "host path '/'" },
		{ "./data:/data", 1, "host path './data'" },
		{ "../src:/src", 1, "host path '../src'" },
		{ "~/.ssh:/root/.ssh", 1, "host path '~/.ssh'" },
		{ "'C:\\data:/data'", 1, "host path 'C:\\data'" },
		{ "${HOST_DIR}:/data", 1, "set by a variable, which may be a host path" },
		{ "data:/data", 0, NULL },
		{ "/data", 0, NULL },
		{ "{type: bind, source: /etc, target: /etc}", 1, "host path '/etc' (volumes: type: bind)" },
		{ "{type: volume, source: data, target: /data}", 0, NULL },
		{ "{type: tmpfs, target: /tmp}", 0, NULL },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char text[512];
		gate_policy_findings f;
		snprintf(text, sizeof(text), "%s    volumes:\n    - %s\n", COMPOSE_SAFE, cases[i].volume);
		f = compose(text);
		cr_log_info("volume %s", cases[i].volume);
		if (cases[i].n)
			expect_one(&f, "host_path", 6, cases[i].text);
		else
			expect_none(&f, "host_path");
		gate_policy_findings_dispose(&f);
	}
}

Test(containers, compose_named_volume_binding_a_host_directory_is_a_host_path)
{
	gate_policy_findings f = compose(COMPOSE_SAFE
					 "volumes:\n"                       /* 5 */
					 "  data:\n"                        /* 6 */
					 "    driver: local\n"              /* 7 */
					 "    driver_opts:\n"               /* 8 */
					 "      type: none\n"               /* 9 */
					 "      o: bind\n"                  /* 10 */
					 "      device: /srv/data\n"        /* 11 */
					 "  plain: {}\n"                    /* 12 */
					 "  nfs:\n"                         /* 13 */
					 "    driver_opts: {type: nfs, o: 'addr=10.0.0.1,rw', device: ':/x'}\n");
	expect_one(&f, "host_path", 10, "volume 'data' binds host path '/srv/data'");
	gate_policy_findings_dispose(&f);
}

Test(containers, compose_user_root_or_no_user_runs_as_root)
{
	static const struct {
		const char *user; /* NULL: no user line */
		int line;         /* 0: no finding */
		const char *text;
	} cases[] = {
		{ NULL, 2, "service 'web' sets no user, so it runs as the image's default user" },
		{ "root", 3, "runs as root (user: root)" },
		{ "0", 3, "runs as root (user: 0)" },
		{ "'0:0'", 3, "(user: 0:0)" },
		{ "root:root", 3, "root" },
		{ "'0:1000'", 3, NULL },
		{ "'${UID}'", 3, "a variable with no default, which may be root" },
		{ "'${UID:-0}:${GID:-0}'", 3, "runs as root" },
		{ "'1000'", 0, NULL },
		{ "app", 0, NULL },
		{ "'1000:0'", 0, NULL },
		{ "'${UID:-1000}:${GID:-1000}'", 0, NULL },
		{ "'${UID-1000}'", 0, NULL },
		{ "null", 2, "sets no user" },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		char text[512];
		gate_policy_findings f;
		if (cases[i].user)
			snprintf(text, sizeof(text),
				 "services:\n  web:\n    user: %s\n    image: nginx@" DIGEST "\n",
				 cases[i].user);
		else
			snprintf(text, sizeof(text), "services:\n  web:\n    image: nginx@" DIGEST "\n");
		f = compose(text);
		cr_log_info("user %s", cases[i].user ? cases[i].user : "(none)");
		if (cases[i].line)
			expect_one(&f, "run_as_root", cases[i].line, cases[i].text);
		else
			expect_none(&f, "run_as_root");
		gate_policy_findings_dispose(&f);
	}
}

Test(containers, compose_no_new_privileges_false_allows_privilege_escalation)
{
	gate_policy_findings f = compose(COMPOSE_SAFE
					 "    security_opt:\n"                  /* 5 */
					 "    - seccomp:unconfined\n"           /* 6 */
					 "    - no-new-privileges:false\n");    /* 7 */
	expect_one(&f, "privilege_escalation", 7,
		   "service 'web' allows privilege escalation (security_opt: no-new-privileges:false)");
	gate_policy_findings_dispose(&f);
	f = compose(COMPOSE_SAFE "    security_opt: [no-new-privileges=false]\n");
	expect_one(&f, "privilege_escalation", 5, NULL);
	gate_policy_findings_dispose(&f);
	f = compose(COMPOSE_SAFE "    security_opt: [no-new-privileges, 'no-new-privileges:true']\n");
	expect_none(&f, "privilege_escalation");
	gate_policy_findings_dispose(&f);
}

Test(containers, compose_images_are_pinned_unless_the_service_builds_them)
{
	gate_policy_findings f = compose(
		"services:\n"                                    /* 1 */
		"  web:\n"                                       /* 2 */
		"    image: nginx:1.25\n"                        /* 3 */
		"    user: '101'\n"                              /* 4 */
		"  app:\n"                                       /* 5 */
		"    build: .\n"                                 /* 6 */
		"    image: registry.example.com/app:dev\n"      /* 7 */
		"    user: '1000'\n"                             /* 8 */
		"  db:\n"                                        /* 9 */
		"    image: postgres:16@" DIGEST "\n"            /* 10 */
		"    user: postgres\n");                         /* 11 */
	expect_one(&f, "unpinned_images", 3, "service 'web' uses image 'nginx:1.25', which is not pinned");
	cr_expect_eq(f.count, 1);
	gate_policy_findings_dispose(&f);
}

Test(containers, compose_extension_fields_and_merges_are_followed)
{
	gate_policy_findings f = compose(
		"x-base: &base\n"                                /* 1 */
		"  privileged: true\n"                           /* 2 */
		"  user: '1000'\n"                               /* 3 */
		"  image: nginx@" DIGEST "\n"                    /* 4 */
		"x-more: &more\n"                                /* 5 */
		"  hidden: {<<: *base}\n"                        /* 6 */
		"services:\n"                                    /* 7 */
		"  <<: *more\n"                                  /* 8 */
		"  web:\n"                                       /* 9 */
		"    <<: *base\n"                                /* 10 */
		"  safe:\n"                                      /* 11 */
		"    <<: *base\n"                                /* 12 */
		"    privileged: false\n");                      /* 13 */
	cr_assert_eq(count(&f, "privileged"), 2, "web and the merged-in service 'hidden'");
	cr_expect(strstr(f.items[0].found, "service 'web'"));
	cr_expect(strstr(f.items[1].found, "service 'hidden'"));
	cr_expect_eq(f.count, 2);
	gate_policy_findings_dispose(&f);
}

Test(containers, compose_files_without_services_yield_nothing)
{
	static const char *const texts[] = { "version: '3'\n", "services: [web]\n",
					     "services: {web: null, db: [1]}\n", "- a\n" };
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(texts); i++) {
		gate_policy_findings f = compose(texts[i]);
		cr_expect_eq(f.count, 0, "%s", texts[i]);
		gate_policy_findings_dispose(&f);
	}
}

/* ---- Dockerfiles ------------------------------------------------------------------ */

Test(containers, dockerfile_from_must_be_pinned_by_digest)
{
	gate_policy_findings f = dockerfile(
		"# syntax=docker/dockerfile:1\n"                 /* 1 */
		"FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n" /* 2 */
		"RUN go build -o /app .\n"                       /* 3 */
		"FROM gcr.io/distroless/static@" DIGEST "\n"     /* 4 */
		"COPY --from=build /app /app\n"                  /* 5 */
		"USER 65532\n");                                 /* 6 */
	expect_one(&f, "unpinned_images", 2,
		   "stage 'build' is built FROM image 'golang:1.22', which is not pinned by digest");
	cr_expect_eq(f.count, 1);
	gate_policy_findings_dispose(&f);
}

Test(containers, dockerfile_scratch_and_earlier_stages_are_not_images)
{
	gate_policy_findings f = dockerfile(
		"FROM alpine@" DIGEST " AS Base\n"               /* 1 */
		"USER nobody\n"                                  /* 2 */
		"from base as second\n"                          /* 3 */
		"FROM scratch AS tiny\n"                         /* 4 */
		"COPY --from=0 /x /x\n"                          /* 5 */
		"COPY --from=second /y /y\n"                     /* 6 */
		"FROM BASE\n");                                  /* 7 */
	cr_expect_eq(f.count, 0, "the final stage inherits USER nobody from 'base'");
	dump(&f);
	gate_policy_findings_dispose(&f);
}

Test(containers, dockerfile_from_a_build_argument_is_reported_with_the_argument)
{
	gate_policy_findings f = dockerfile(
		"ARG BASE=node:20@" DIGEST "\n"                  /* 1 */
		"ARG OTHER\n"                                    /* 2 */
		"FROM $BASE\n"                                   /* 3 */
		"FROM ${OTHER} AS x\n"                           /* 4 */
		"USER node\n");                                  /* 5 */
	const gate_policy_finding *x = first(&f, "unpinned_images");
	cr_assert_eq(count(&f, "unpinned_images"), 2);
	cr_expect_eq(x->line, 3);
	cr_expect(strstr(x->found, "image '$BASE', which comes from build argument BASE (default 'node:20@sha256:"),
		  "%s", x->found);
	cr_expect(strstr(x->found, "which any build can override, so it is not pinned by digest"));
	cr_expect_eq(f.items[1].line, 4);
	cr_expect(strstr(f.items[1].found, "build argument OTHER, which has no default"), "%s",
		  f.items[1].found);
	cr_expect_eq(f.count, 2);
	gate_policy_findings_dispose(&f);
}

Test(containers, dockerfile_continuations_comments_and_escape_directive_are_honoured)
{
	gate_policy_findings f = dockerfile(
		"# escape=`\n"                                   /* 1 */
		"\n"                                             /* 2 */
		"FROM `\n"                                       /* 3 */
		"  # a comment inside the continuation\n"        /* 4 */
		"\n"                                             /* 5 */
		"  mcr.microsoft.com/windows/servercore:ltsc2022\n" /* 6 */
		"RUN echo \\\n"                                  /* 7 */
		"USER root\n");                                  /* 8 */
	expect_one(&f, "unpinned_images", 3, "'mcr.microsoft.com/windows/servercore:ltsc2022'");
	expect_one(&f, "run_as_root", 8, "the final stage's last USER is 'root'");
	gate_policy_findings_dispose(&f);

	f = dockerfile("FROM \\\n    alpine:3 \\\n    AS final\nUSER 1000\n");
	expect_one(&f, "unpinned_images", 1, "stage 'final' is built FROM image 'alpine:3'");
	cr_expect_eq(f.count, 1);
	gate_policy_findings_dispose(&f);
}

Test(containers, dockerfile_final_stage_user_decides_run_as_root)
{
	static const struct {
		const char *body;
		int line; /* 0: no finding */
		const char *text;
	} cases[] = {
		{ "FROM a@" DIGEST "\nRUN true\n", 1, "the final stage (FROM a@sha256:" },
		{ "FROM a@" DIGEST "\nUSER root\n", 2, "last USER is 'root', so the container runs as root" },
		{ "FROM a@" DIGEST "\nUSER 0\n", 2, "'0'" },
		{ "FROM a@" DIGEST "\nUSER 0:0\n", 2, "'0:0'" },
		{ "FROM a@" DIGEST "\nUSER ROOT:wheel\n", 2, NULL },
		{ "FROM a@" DIGEST "\nUSER app\nRUN x\nUSER root\n", 4, NULL },
		{ "FROM a@" DIGEST "\nUSER root\nRUN x\nUSER app\n", 0, NULL },
		{ "FROM a@" DIGEST "\nUSER 1000:0\n", 0, NULL },
		{ "FROM a@" DIGEST " AS b\nUSER app\nFROM a@" DIGEST "\n", 3, "sets no USER" },
		{ "FROM a@" DIGEST " AS b\nUSER root\nFROM b\n", 2, "'root'" },
		{ "FROM scratch\nCOPY x /x\n", 1, "(FROM scratch) sets no USER" },
		{ "FROM a@" DIGEST "\nARG UID=1000\nUSER $UID\n", 0, NULL },
		{ "FROM a@" DIGEST "\nENV UID 0\nUSER ${UID}:${UID}\n", 3, NULL },
		{ "FROM a@" DIGEST "\nARG UID=0\nUSER ${UID}\n", 3, "'${UID}'" },
		{ "FROM a@" DIGEST "\nUSER $UID\n", 2, "'$UID', a variable with no default" },
		{ "FROM a@" DIGEST "\nUSER ${UID:-1000}\n", 0, NULL },
		{ "ARG UID=1000\nFROM a@" DIGEST "\nARG UID\nUSER $UID\n", 0, NULL },
		{ "ARG UID=1000\nFROM a@" DIGEST "\nUSER $UID\n", 3, "no default" },
		{ "# only a comment\n", 0, NULL },
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(cases); i++) {
		gate_policy_findings f = dockerfile(cases[i].body);
		cr_log_info("case %zu: %s", i, cases[i].body);
		if (cases[i].line)
			expect_one(&f, "run_as_root", cases[i].line, cases[i].text);
		else
			expect_none(&f, "run_as_root");
		gate_policy_findings_dispose(&f);
	}
}

Test(containers, dockerfile_heredoc_bodies_are_not_instructions)
{
	gate_policy_findings f = dockerfile(
		"FROM a@" DIGEST "\n"                            /* 1 */
		"RUN <<EOF\n"                                    /* 2 */
		"FROM evil:latest\n"                             /* 3 */
		"USER app\n"                                     /* 4 */
		"EOF\n"                                          /* 5 */
		"COPY <<-\"ONE\" /a <<TWO /b\n"                  /* 6 */
		"\tUSER app\n"                                   /* 7 */
		"\tONE\n"                                        /* 8 */
		"FROM evil:2\n"                                  /* 9 */
		"TWO\n"                                          /* 10 */
		"RUN echo $((1<<2))\n");                         /* 11 */
	expect_none(&f, "unpinned_images");
	expect_one(&f, "run_as_root", 1, "sets no USER");
	gate_policy_findings_dispose(&f);
}

Test(containers, dockerfile_copy_from_and_mounts_of_images_are_checked)
{
	gate_policy_findings f = dockerfile(
		"FROM a@" DIGEST " AS build\n"                   /* 1 */
		"COPY --from=nginx:latest /etc/nginx /etc/nginx\n" /* 2 */
		"COPY --from=build /x /y\n"                      /* 3 */
		"RUN --mount=type=bind,from=busybox,source=/bin,target=/b true\n" /* 4 */
		"RUN --mount=type=cache,target=/root/.cache true\n" /* 5 */
		"COPY --from=ghcr.io/x/y@" DIGEST " /a /a\n"     /* 6 */
		"USER 1\n");                                     /* 7 */
	cr_assert_eq(count(&f, "unpinned_images"), 2);
	cr_expect_eq(f.items[0].line, 2);
	cr_expect(strstr(f.items[0].found, "COPY --from in stage 'build' copies from image 'nginx:latest'"));
	cr_expect_eq(f.items[1].line, 4);
	cr_expect(strstr(f.items[1].found, "RUN --mount in stage 'build' copies from image 'busybox'"));
	cr_expect_eq(f.count, 2);
	gate_policy_findings_dispose(&f);
}

Test(containers, dockerfile_registries_are_checked_for_every_from)
{
	static const char *const allowed[] = { "ghcr.io" };
	gate_container_policy p = every_check(GATE_POLICY_OFF);
	gate_policy_findings f;

	p.registries = allowed;
	p.n_registries = 1;
	p.registries_action = GATE_POLICY_REJECT;
	f = check_with(&p, GATE_CONTAINER_FILE_DOCKERFILE, "Dockerfile",
		       "FROM ghcr.io/acme/base@" DIGEST " AS a\n"      /* 1 */
		       "FROM docker.io/library/alpine@" DIGEST "\n"    /* 2 */
		       "FROM a\n"                                      /* 3 */
		       "FROM $BASE\n");                                /* 4 */
	cr_assert_eq(count(&f, "registries"), 2);
	cr_expect_eq(f.items[0].line, 2);
	cr_expect(strstr(f.items[0].found, "from registry 'docker.io'"));
	cr_expect_eq(f.items[1].line, 4);
	cr_expect(strstr(f.items[1].found, "whose registry comes from a variable"));
	gate_policy_findings_dispose(&f);
}

Test(containers, dockerfile_stages_and_arguments_survive_many_of_each_and_over_256_stages_are_incomplete)
{
	gate_buf b = GATE_BUF_INIT;
	gate_policy_findings f;
	int i;

	/* found by fuzzing: a stage was copied from an array that had just moved */
	gate_buf_puts(&b, "ARG UID=1000\n");
	for (i = 0; i < 40; i++)
		gate_buf_printf(&b, "ARG G%d=x\n", i);
	gate_buf_puts(&b, "FROM a@" DIGEST " AS first\nUSER app\n");
	for (i = 0; i < 300; i++)
		gate_buf_printf(&b, "FROM first AS s%d\nARG V%d=1\n", i, i);
	for (i = 0; i < 40; i++)
		gate_buf_printf(&b, "ARG L%d=y\n", i);
	gate_buf_puts(&b, "ARG UID\nUSER $UID\nCOPY --from=s299 /a /a\nCOPY --from=first /b /b\n");
	cr_assert(!b.oom);
	f = dockerfile(b.ptr);
	cr_expect_eq(f.count, 1);
	cr_expect_eq(count(&f, "incomplete"), 1, "301 stages: the names past 256 are not remembered");
	dump(&f);
	gate_policy_findings_dispose(&f);
	gate_buf_dispose(&b);
}

Test(containers, dockerfile_odd_input_never_crashes)
{
	static const char *const texts[] = {
		"FROM\n", "FROM --platform=x\n", "USER\n", "FROM a AS\n", "\\\n\\\n\\",
		"FROM a \\", "RUN <<EOF\nnever ends", "COPY --from= x y\n", "ARG =1\nENV\n",
		"FROM a\r\nUSER root\r\n", "\xef\xbb\xbf" "FROM a\n", "FROM $\nFROM ${\nUSER ${X:?e}\n",
	};
	size_t i;
	for (i = 0; i < GATE_ARRAY_SIZE(texts); i++) {
		gate_policy_findings f = dockerfile(texts[i]);
		gate_policy_findings_dispose(&f);
	}
	{
		gate_policy_findings f = dockerfile("FROM a\r\nUSER root\r\n");
		expect_one(&f, "run_as_root", 2, "'root'");
		gate_policy_findings_dispose(&f);
		f = dockerfile("\xef\xbb\xbf" "FROM a\n");
		expect_one(&f, "unpinned_images", 1, "image 'a'");
		gate_policy_findings_dispose(&f);
	}
}

/* ---- allocation failure ---------------------------------------------------------- */

#ifdef GATE_FAULT_INJECTION

/* The check under allocation failure N: the exit code run_failing_at describes. */
static __attribute__((noinline)) int check_failing_at(long n, gate_container_file kind,
						      const char *text, size_t want)
{
	static const char *const allowed[] = { "ghcr.io", "*.example.com", "quay.io/acme" };
	gate_container_policy p = every_check(GATE_POLICY_WARN);
	gate_policy_findings f = GATE_POLICY_FINDINGS_INIT;
	char num[32];
	int rc, code;

	p.registries = allowed;
	p.n_registries = GATE_ARRAY_SIZE(allowed);
	snprintf(num, sizeof(num), "%ld", n);
	setenv("GATEHOUSE_FAIL_ALLOC_AFTER", num, 1);
	rc = gate_containers_check(&f, &p, "x", kind, text, strlen(text));
	if (rc == GATE_ENOMEM)
		code = 0;
	else if (rc != 0)
		code = 2;
	else
		code = f.count == want ? 1 : 4;
	gate_policy_findings_dispose(&f);
	return code;
}

typedef struct {
	long n;
	gate_container_file kind;
	const char *text;
	size_t want;
	int code;
} failing_args;

static void *check_thread(void *arg)
{
	failing_args *a = arg;
	a->code = check_failing_at(a->n, a->kind, a->text, a->want);
	return NULL;
}

/* Overwrites the dead stack the check used, so a stale pointer there cannot hide a leak. */
static __attribute__((noinline)) void clobber_stack(void)
{
	volatile char junk[256 * 1024];
	size_t i;
	for (i = 0; i < sizeof(junk); i++)
		junk[i] = 0;
}

/*
 * Runs one check in a child that makes allocation N fail; exit codes: 0 the
 * check failed with GATE_ENOMEM, 1 it succeeded with every finding, 2 wrong
 * code, 3 leak, 4 it claimed success but lost findings.
 */
static int run_failing_at(long n, gate_container_file kind, const char *text, size_t want, int quiet)
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		/*
		 * The check runs on a thread of its own: tests/lsan.supp drops
		 * every leak whose stack passes through libcriterion.so, which
		 * the test thread's always does.
		 */
		failing_args a = { n, kind, text, want, -1 };
		pthread_t t;
		int code;
		if (pthread_create(&t, NULL, check_thread, &a) || pthread_join(t, NULL))
			_exit(5);
		code = a.code;
		clobber_stack();
#ifdef HAVE_LSAN
		/*
		 * After fork() LSan warns that Criterion's other thread was not
		 * suspended; keep that noise out unless a leak is being shown.
		 */
		if (quiet) {
			int fd = open("/dev/null", O_WRONLY);
			if (fd >= 0)
				dup2(fd, 2);
		}
		if (__lsan_do_recoverable_leak_check())
			code = 3;
#else
		(void)quiet;
#endif
		_exit(code);
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "child died at allocation %ld", n);
	return WEXITSTATUS(status);
}

static void survives_every_allocation_failure(gate_container_file kind, const char *text)
{
	static const char *const allowed[] = { "ghcr.io", "*.example.com", "quay.io/acme" };
	gate_container_policy p = every_check(GATE_POLICY_WARN);
	gate_policy_findings f = GATE_POLICY_FINDINGS_INIT;
	size_t want;
	long n;
	pid_t pid;
	int status;

	/* count the findings in a child too: this process must not allocate before forking */
	p.registries = allowed;
	p.n_registries = GATE_ARRAY_SIZE(allowed);
	pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int rc = gate_containers_check(&f, &p, "x", kind, text, strlen(text));
		_exit(rc ? 255 : (int)(f.count > 200 ? 200 : f.count));
	}
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) != 255);
	want = (size_t)WEXITSTATUS(status);
	cr_assert_gt(want, 3, "the sample must produce findings");
	for (n = 0; n < 20000; n++) {
		int r = run_failing_at(n, kind, text, want, 1);
		if (r == 3)
			run_failing_at(n, kind, text, want, 0); /* again, to show the leak */
		cr_assert(r == 0 || r == 1, "allocation %ld: %s", n,
			  r == 2   ? "wrong error code"
			  : r == 3 ? "leak"
			  : r == 4 ? "findings lost without an error"
				   : "could not start a thread");
		if (r == 1)
			return;
	}
	cr_assert_fail("never got past the allocation failures");
}
#endif

Test(containers, every_allocation_failure_is_reported_without_leaks)
{
#ifndef GATE_FAULT_INJECTION
	cr_skip_test("needs a FAULT=1 build");
#else
	survives_every_allocation_failure(
		GATE_CONTAINER_FILE_YAML,
		"kind: List\n"
		"x: &sc {privileged: true}\n"
		"items:\n"
		"- kind: Deployment\n"
		"  metadata: {name: api}\n"
		"  spec:\n"
		"    template:\n"
		"      spec:\n"
		"        hostNetwork: true\n"
		"        volumes: [{name: h, hostPath: {path: /}}]\n"
		"        containers:\n"
		"        - name: web\n"
		"          image: evil.io/x:1\n"
		"          securityContext: {<<: *sc, runAsUser: 0, allowPrivilegeEscalation: true,\n"
		"                            capabilities: {add: [SYS_ADMIN, NET_RAW]}}\n"
		"        - {name: b, image: ghcr.io/a@" DIGEST ", securityContext: *sc}\n");
	survives_every_allocation_failure(
		GATE_CONTAINER_FILE_COMPOSE,
		"x-b: &b {privileged: true, cap_add: [ALL]}\n"
		"services:\n"
		"  web: {<<: *b, image: 'nginx', network_mode: host, volumes: ['/:/h'],\n"
		"        security_opt: ['no-new-privileges:false']}\n"
		"  db: {image: 'a.example.com/db', user: root}\n"
		"volumes: {d: {driver_opts: {o: bind, device: /srv}}}\n");
	survives_every_allocation_failure(
		GATE_CONTAINER_FILE_DOCKERFILE,
		"ARG BASE=x\n"
		"FROM golang:1.22 AS build\n"
		"COPY --from=nginx /a /a\n"
		"FROM $BASE\n"
		"RUN <<EOF\nUSER app\nEOF\n"
		"FROM \\\n  evil.io/final:1\n"
		"USER root\n");
#endif
}

/* ---- a check that stopped looking is incomplete ---------------------------------------- */

static void expect_incomplete(const gate_policy_findings *f, const char *why)
{
	const gate_policy_finding *x = first(f, "incomplete");
	cr_assert_not_null(x, "no policy.container.incomplete");
	cr_expect_eq(x->action, GATE_POLICY_REJECT);
	cr_expect(strstr(x->found, why), "%s", x->found);
	cr_expect(strstr(x->fix, "no setting raises it"), "%s", x->fix);
}

Test(containers, a_walk_that_spends_its_budget_is_incomplete)
{
	/* every level merges the one below ten times: a missing key costs 10^12 lookups */
	gate_buf b = GATE_BUF_INIT;
	gate_policy_findings f;
	int i, j;

	gate_buf_puts(&b, "m0: &m0 {a: 1}\n");
	for (i = 1; i < 13; i++) {
		gate_buf_printf(&b, "m%d: &m%d {<<: [", i, i);
		for (j = 0; j < 10; j++)
			gate_buf_printf(&b, "%s*m%d", j ? ", " : "", i - 1);
		gate_buf_puts(&b, "]}\n");
	}
	gate_buf_puts(&b, "kind: Pod\nspec:\n  containers:\n  - {<<: *m12, securityContext: *m12}\n");
	cr_assert(!b.oom);
	f = k8s(b.ptr);
	expect_incomplete(&f, "more work than the 2000000 steps");
	gate_policy_findings_dispose(&f);
	gate_buf_dispose(&b);
}

Test(containers, an_anchor_deeper_than_the_tree_is_built_is_incomplete)
{
	gate_buf b = GATE_BUF_INIT;
	gate_policy_findings f;
	int i;

	gate_buf_puts(&b, "kind: Pod\nx: ");
	for (i = 0; i < 130; i++)
		gate_buf_puts(&b, "[");
	gate_buf_puts(&b, "&sc {privileged: true}");
	for (i = 0; i < 130; i++)
		gate_buf_puts(&b, "]");
	gate_buf_puts(&b, "\nspec: {containers: [{name: a, securityContext: *sc}]}\n");
	cr_assert(!b.oom);
	f = k8s(b.ptr);
	expect_incomplete(&f, "nested deeper than 128 levels");
	gate_policy_findings_dispose(&f);
	gate_buf_dispose(&b);
}

Test(containers, lists_nested_deeper_than_four_are_incomplete)
{
	gate_policy_findings f = k8s("kind: List\nitems:\n- kind: List\n  items:\n  - kind: List\n    items:\n"
				     "    - kind: List\n      items:\n      - kind: List\n        items:\n"
				     "        - kind: Pod\n          spec: {containers: [{securityContext: "
				     "{privileged: true}}]}\n");
	expect_incomplete(&f, "kind: List nested deeper than 4");
	gate_policy_findings_dispose(&f);
}

Test(containers, merges_deeper_than_sixteen_are_incomplete)
{
	gate_buf b = GATE_BUF_INIT;
	gate_policy_findings f;
	int i;

	gate_buf_puts(&b, "m0: &m0 {privileged: true}\n");
	for (i = 1; i <= 20; i++)
		gate_buf_printf(&b, "m%d: &m%d {<<: *m%d}\n", i, i, i - 1);
	gate_buf_puts(&b, "kind: Pod\nspec: {containers: [{name: a, securityContext: *m20}]}\n");
	cr_assert(!b.oom);
	f = k8s(b.ptr);
	expect_incomplete(&f, "merges nested deeper than 16");
	gate_policy_findings_dispose(&f);
	gate_buf_dispose(&b);
}

Test(containers, a_ninth_heredoc_is_incomplete_not_read_as_instructions)
{
	gate_policy_findings f = dockerfile("FROM a@" DIGEST "\n"
					    "RUN <<A1 <<A2 <<A3 <<A4 <<A5 <<A6 <<A7 <<A8 <<A9\n"
					    "A1\nA2\nA3\nA4\nA5\nA6\nA7\nA8\nUSER app\nA9\n");
	expect_incomplete(&f, "more than 8 heredocs");
	gate_policy_findings_dispose(&f);
}

Test(containers, eight_heredocs_are_read)
{
	gate_policy_findings f = dockerfile("FROM a@" DIGEST "\n"
					    "RUN <<A1 <<A2 <<A3 <<A4 <<A5 <<A6 <<A7 <<A8\n"
					    "A1\nA2\nA3\nA4\nA5\nA6\nA7\nUSER app\nA8\nUSER app\n");
	cr_expect_eq(count(&f, "incomplete"), 0);
	cr_expect_eq(f.count, 0);
	dump(&f);
	gate_policy_findings_dispose(&f);
}

Test(containers, a_document_past_a_million_nodes_is_incomplete)
{
	size_t n = 1000001, i;
	gate_buf b = GATE_BUF_INIT;
	gate_policy_findings f;

	gate_buf_puts(&b, "kind: Pod\nspec: {containers: [{securityContext: {privileged: true}}]}\nx: [");
	for (i = 0; i < n; i++)
		gate_buf_puts(&b, "1,");
	gate_buf_puts(&b, "1]\n");
	cr_assert(!b.oom);
	f = k8s(b.ptr);
	expect_incomplete(&f, "more than 1000000 nodes");
	gate_policy_findings_dispose(&f);
	gate_buf_dispose(&b);
}

Test(containers, nesting_past_ten_thousand_levels_is_incomplete)
{
	size_t n = 10001, i;
	gate_buf b = GATE_BUF_INIT;
	gate_policy_findings f;

	gate_buf_puts(&b, "kind: Pod\nx: ");
	for (i = 0; i < n; i++)
		gate_buf_puts(&b, "[");
	for (i = 0; i < n; i++)
		gate_buf_puts(&b, "]");
	gate_buf_puts(&b, "\n");
	cr_assert(!b.oom);
	f = k8s(b.ptr);
	expect_incomplete(&f, "nested deeper than 128 levels"); /* the tree bound comes first */
	gate_policy_findings_dispose(&f);
	gate_buf_dispose(&b);
}
