#!/usr/bin/env python3
"""Writes a synthetic gatehouse audit log and prints what `gatehouse report` must count.

    gen-audit.py --records N --seed S --out FILE [--start 2026-01-05] [--days 70]
                 [--garbage K] [--since DATE]

The log has the shape audit.c writes (one JSON record per line, the records
of one hook run on consecutive lines sharing repo, hook, pusher and
duration_ms) with a known, seeded distribution of people, roles, refs,
verdicts, reasons, secret findings, warnings, overrides and internal errors,
plus K lines that are not audit records (garbage, torn and foreign JSON)
between runs, and a few hostile strings (a ref and an override reason full
of HTML).  The expected aggregates go to stdout as JSON, computed here with
the rules the README states, independently of the C code:

  - a ref update is one record; a push is one hook run;
  - rejections by reason/rule count each rejected record once per id/rule;
  - secrets count every finding (one secret.* reason each) and the records;
  - roles: a record counts under each of the pusher's roles, "(no role)"
    when the person has none, "(not in the matrix)" when person is null;
  - overrides, pushes and durations count once per run;
  - with --since, records before it are left out (and counted as such).

Python 3 standard library only.
"""
import argparse
import datetime as dt
import json
import random
import sys

PEOPLE = [  # login, person, roles, rejection rate, weight
    ("alice", "alice", ["developers"], 0.14, 22),
    ("bob", "bob", ["developers"], 0.18, 20),
    ("carol", "carol", ["security"], 0.05, 8),
    ("dave", "dave", ["operations"], 0.09, 10),
    ("erin", "erin", ["release"], 0.06, 14),
    ("frank", "frank", ["release", "developers"], 0.08, 12),
    ("gina", "gina", [], 0.45, 4),
    ("mallory", None, None, 0.92, 3),
    ("ci-bot", "ci-bot", ["automation"], 0.03, 7),
]
OVERRIDERS = [p for p in PEOPLE if p[2] and ("release" in p[2] or "security" in p[2])]
REPOS = ["/srv/git/payments.git", "/srv/git/web.git", "/srv/git/infra.git"]
M = "refs/heads/main:matrix/responsibility.yml"
REASONS = [  # id, rule, weight
    ("ref.push", M + ":50", 16),
    ("review.min", M + ":55", 22),
    ("trailer.required", M + ":58", 14),
    ("trailer.required", M + ":59", 10),
    ("review.owner", M + ":76", 6),
    ("review.pipeline", "built-in", 4),
    ("ref.force_push", M + ":53", 6),
    ("ref.create", M + ":61", 5),
    ("ref.delete", M + ":52", 3),
    ("signature.missing", M + ":57", 5),
    ("approval.min", M + ":68", 4),
    ("policy.container.privileged", M + ":92", 3),
    ("policy.dependency.deny", M + ":98", 3),
    ("limit.commits", M + ":110", 1),
]
SECRET_RULES = [("aws-access-key-id", 30), ("github-pat", 22), ("private-key", 12),
                ("slack-webhook", 8), ("generic-api-key", 18), ("stripe-secret-key", 5)]
WARNINGS = [("policy.container.run_as_root", 6), ("policy.container.unpinned_images", 4)]
OVERRIDE_REASONS = ["INC-2041: prod down, rotating the key in the next push",
                    "INC-2077: payment outage, hotfix reviewed on the bridge call",
                    "INC-2102: revert of a broken release",
                    "sev1: certificate expired"]
HOSTILE_REF = "refs/heads/<script>alert(1)</script>"
HOSTILE_REASON = "INC-1 <img src=x onerror=alert(1)> & \"quotes\" 'too'"
GARBAGE = ["not json at all", "{\"time\":\"2026-01-05T00:00:00Z\",\"ref\":\"refs/heads/x\"}",
           "[1,2,3]", "{\"time\":\"yesterday\",\"verdict\":\"accepted\",\"ref\":\"refs/heads/x\"}",
           "{\"time\":\"2026-01-05T00:00:00.000Z\",\"verdict\":\"maybe\",\"ref\":\"r\"}",
           "{\"time\":\"2026-01-05T00:00:00.000Z\",\"repo\":\"/srv/git/web.git\",\"verdi"]
OVERRIDABLE = [r for r in REASONS if r[0].startswith(("review.", "trailer.", "signature.", "approval."))]
PHASES = ["objects", "matrix", "evidence", "secrets_list", "secrets_scan"]


def pick(rnd, items):
    return rnd.choices(items, weights=[i[-1] for i in items])[0]


def refs_for(rnd):
    """About 40 refs with a long tail: main and releases most pushed."""
    r = rnd.random()
    if r < 0.30:
        return "refs/heads/main"
    if r < 0.40:
        return "refs/heads/release/%d.x" % rnd.choice([1, 2, 3])
    if r < 0.48:
        return "refs/tags/v1.%d" % rnd.randrange(8)
    return "refs/heads/feature/%s-%d" % (rnd.choice(["login", "billing", "search", "deploy"]),
                                          int(rnd.paretovariate(1.2)) % 8)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--records", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--start", default="2026-01-05")
    ap.add_argument("--days", type=int, default=70)
    ap.add_argument("--garbage", type=int, default=0)
    ap.add_argument("--since", default=None)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    start = dt.datetime.fromisoformat(a.start).replace(tzinfo=dt.timezone.utc)
    since = dt.datetime.fromisoformat(a.since).replace(tzinfo=dt.timezone.utc) if a.since else None

    # plan the runs: 1 ref (80%), 2 (15%) or 3 (5%), the last one cut to fit
    sizes, left = [], a.records
    while left > 0:
        n = min(left, rnd.choices([1, 2, 3], weights=[80, 15, 5])[0])
        sizes.append(n)
        left -= n
    span_ms = a.days * 86400 * 1000
    times = sorted(rnd.randrange(span_ms) for _ in sizes)
    garbage_at = set(rnd.sample(range(len(sizes)), min(a.garbage, len(sizes))))
    hostile_run = len(sizes) // 7  # an early run: far down the newest-first tables

    E = {"records": 0, "accepted": 0, "rejected": 0, "pushes": 0, "pushes_rejected": 0,
         "overrides": 0, "overrides_applied": 0, "overrides_refused": 0, "errors": 0,
         "errors_allowed": 0, "secret_findings": 0, "secret_updates": 0, "warned": 0,
         "skipped": 0, "before_since": 0, "reasons": {}, "rules": {}, "roles": {}, "refs": {},
         "secrets": {}, "warnings": {}, "days": {}, "latest_override": None}
    prev_key = None
    out = open(a.out, "w", encoding="utf-8")
    for i, n in enumerate(sizes):
        if i in garbage_at:
            out.write(rnd.choice(GARBAGE) + "\n")
            E["skipped"] += 1
            prev_key = None
        if rnd.random() < 0.02:
            out.write("\n")  # blank lines are not records and not skipped lines
        override = None
        if rnd.random() < 0.004 or i == hostile_run:
            override = HOSTILE_REASON if i == hostile_run else rnd.choice(OVERRIDE_REASONS)
        # break glass is mostly used by those allowed to (and then mostly lifts checks)
        who = OVERRIDERS if override is not None and rnd.random() < 0.8 else PEOPLE
        login, person, roles, rej_rate, _ = pick(rnd, who)
        may_override = person is not None and ("release" in roles or "security" in roles)
        if override is not None and may_override:
            rej_rate = 0.9
        repo = rnd.choice(REPOS)
        hook = "update" if rnd.random() < 0.1 else "pre-receive"
        t = start + dt.timedelta(milliseconds=times[i])
        stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (t.microsecond // 1000)
        duration = round(rnd.lognormvariate(2.4, 0.9), 3)
        if rnd.random() < 0.003:
            duration = round(rnd.uniform(3000, 40000), 3)  # a huge push
        if prev_key == (repo, hook, login, duration):
            duration += 0.001  # consecutive runs must not look like one
        prev_key = (repo, hook, login, duration)
        cuts = sorted(rnd.random() for _ in range(4))
        parts = [cuts[0], cuts[1] - cuts[0], cuts[2] - cuts[1], cuts[3] - cuts[2], 1 - cuts[3]]
        phases = {p: round(duration * 0.95 * f, 3) for p, f in zip(PHASES, parts)}
        run_rejected = False
        counted = since is None or t >= since
        ov_applied = False
        for k in range(n):
            ref = HOSTILE_REF if i == hostile_run and k == 0 else refs_for(rnd)
            rejected = rnd.random() < rej_rate
            reasons, warnings = [], []
            if rejected:
                for _ in range(rnd.choices([1, 2, 3], weights=[60, 30, 10])[0]):
                    rid, rule, _ = pick(rnd, OVERRIDABLE if override is not None and may_override else REASONS)
                    reasons.append({"id": rid, "rule": rule, "subject": ref,
                                    "found": "%s wants to push to %s" % (login, ref),
                                    "missing": "see the rule"})
                if rnd.random() < 0.15:
                    for _ in range(rnd.choices([1, 2, 3], weights=[70, 20, 10])[0]):
                        sid = "secret." + pick(rnd, SECRET_RULES)[0]
                        reasons.append({"id": sid, "rule": M + ":120", "subject": "config/app.env:3",
                                        "found": "config/app.env:3:7: a key AKIA****", "missing":
                                        "no secret in anything pushed, in any commit"})
            applied = False
            if override is not None:
                if not may_override:
                    rejected = True
                    reasons.append({"id": "override.refused", "rule": M + ":12", "subject": login,
                                    "found": "%s is not in override_role" % login, "missing": "security"})
                elif rejected and all(r["id"].startswith(("review.", "trailer.", "secret.",
                                                           "signature.", "approval.", "policy."))
                                      for r in reasons):
                    applied, rejected, reasons = True, False, []
            if rnd.random() < 0.05:
                for _ in range(rnd.choice([1, 2])):
                    wid = pick(rnd, WARNINGS)[0]
                    warnings.append({"id": wid, "rule": M + ":90", "subject": "deploy/pod.yaml",
                                     "found": "runs as root"})
            error = None
            if rnd.random() < 0.002:
                error = "cannot read the matrix: object not found"
                allow = rnd.random() < 0.3
                rejected = not allow
                if not allow:
                    reasons = [{"id": "internal.error", "rule": "built-in", "subject": ref,
                                "found": error, "missing": "a working gatehouse"}]
            rec = {"time": stamp, "repo": repo, "hook": hook, "pusher": login, "person": person}
            if person is not None:
                rec["roles"] = roles
            rec.update({"identity_source": "GATEHOUSE_USER", "ref": ref, "old": "0" * 40,
                        "new": "%040x" % rnd.getrandbits(160), "kind": "fast-forward",
                        "tag": ref.startswith("refs/tags/"),
                        "verdict": "rejected" if rejected else "accepted", "reasons": reasons})
            if warnings:
                rec["warnings"] = warnings
            rec.update({"rule": M + ":49", "matrix": {"source": M, "commit": "ab" * 20, "bootstrap": False}})
            if error:
                rec["error"] = error
                rec["on_error"] = "allow" if not rejected else "reject"
            rec["push"] = {"source": "quarantine", "new_objects": 3 * n, "new_commits": n}
            rec["secrets"] = {"engine": "vectorscan 5.4", "scanned_blobs": 2 * n, "scanned_bytes": 4096 * n,
                              "skipped_binary": 0, "skipped_large": [], "findings_in_push": 0,
                              "findings_on_ref": 0, "ms": phases["secrets_scan"]}
            if override is not None:
                rec["override"] = {"requested_by": login, "reason": override, "applied": applied,
                                   "checks_skipped": "review.min,trailer.required" if applied else None}
            rec.update({"version": "0.1.0", "duration_ms": duration, "phases_ms": phases})
            out.write(json.dumps(rec, separators=(",", ":")) + "\n")

            if not counted:
                E["before_since"] += 1
                continue
            run_rejected |= rejected
            ov_applied |= applied
            E["records"] += 1
            E["rejected" if rejected else "accepted"] += 1
            day = stamp[:10]
            E["days"].setdefault(day, [0, 0])[1 if rejected else 0] += 1
            if rejected:
                for rid in {r["id"] for r in reasons}:
                    E["reasons"][rid] = E["reasons"].get(rid, 0) + 1
                for rule in {r["rule"] for r in reasons}:
                    E["rules"][rule] = E["rules"].get(rule, 0) + 1
            sec = [r["id"] for r in reasons if r["id"].startswith("secret.")]
            for sid in sec:
                E["secrets"].setdefault(sid, [0, 0])[0] += 1
            for sid in set(sec):
                E["secrets"][sid][1] += 1
            E["secret_findings"] += len(sec)
            E["secret_updates"] += 1 if sec else 0
            if warnings:
                E["warned"] += 1
            for wid in {w["id"] for w in warnings}:
                E["warnings"][wid] = E["warnings"].get(wid, 0) + 1
            keys = ["(not in the matrix)"] if person is None else (roles or ["(no role)"])
            for role in keys:
                c = E["roles"].setdefault(role, [0, 0])
                c[0] += 1
                c[1] += 1 if rejected else 0
            c = E["refs"].setdefault(ref, [0, 0])
            c[0] += 1
            c[1] += 1 if rejected else 0
            if error:
                E["errors"] += 1
                E["errors_allowed"] += 0 if rejected else 1
        if counted:
            E["pushes"] += 1
            E["pushes_rejected"] += 1 if run_rejected else 0
            if override is not None:
                E["overrides"] += 1
                E["overrides_applied"] += 1 if ov_applied else 0
                E["overrides_refused"] += 0 if may_override else 1
                E["latest_override"] = {"time": stamp, "requested_by": login, "reason": override}
    out.close()
    top = sorted(E["refs"].items(), key=lambda kv: (-kv[1][0], kv[0].encode()))
    E["top_refs"] = [[ref, c[0], c[1]] for ref, c in top[:10]]
    del E["refs"]
    E["hostile_ref"] = HOSTILE_REF
    E["hostile_reason"] = HOSTILE_REASON
    json.dump(E, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
