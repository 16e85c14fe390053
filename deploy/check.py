#!/usr/bin/env python3
"""Offline checks of deploy/ that the Kubernetes JSON schemas cannot make.

`kubernetes-validate --strict` (run by .ci/run) checks every built-in resource against the
Kubernetes schemas. This script adds what those schemas do not cover, and exits non-zero naming
each problem:

- KEDA's ScaledObject is a custom resource without a schema in that tool: a minimal structural
  check of the fields jaga relies on (no third-party schema is vendored into the repository);
- consistency between files: the StatefulSet, its Service, PodDisruptionBudget and ScaledObject
  select the same pods; the ScaledObject watches the consumer group and topic of the ConfigMap;
  the pod name becomes group.instance.id; probes hit /healthz and /readyz;
- deploy/compose.yaml: Kafka in KRaft mode (no ZooKeeper), every dependency and mounted file
  exists; the Dockerfile (parsed with Docker's own parser, the `dockerfile` package): multi-stage,
  non-root, weights fetched in the build stage, an explicit portable CPU target.

Run: python3 deploy/check.py  (needs PyYAML and dockerfile; .ci/run installs both in a venv)
"""

import pathlib
import re
import sys
import tomllib

import dockerfile
import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
problems = []


def check(cond, message):
    if not cond:
        problems.append(message)
    return cond


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def manifests():
    docs = {}
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for doc in load_all(path):
            docs[(doc.get("kind"), doc.get("metadata", {}).get("name"))] = (path.name, doc)
    return docs


def check_kubernetes():
    docs = manifests()
    kinds = {k for k, _ in docs}
    for kind in ["StatefulSet", "Service", "PodDisruptionBudget", "ConfigMap", "ScaledObject", "Job", "Kustomization"]:
        check(kind in kinds, f"deploy/kubernetes has no {kind}")
    sts = docs.get(("StatefulSet", "jaga"), (None, None))[1]
    if not check(sts is not None, "no StatefulSet named jaga"):
        return
    pod_labels = sts["spec"]["template"]["metadata"]["labels"]
    selector = sts["spec"]["selector"]["matchLabels"]
    check(all(pod_labels.get(k) == v for k, v in selector.items()), "StatefulSet selector does not match its pods")
    svc = docs.get(("Service", sts["spec"]["serviceName"]), (None, None))[1]
    if check(svc is not None, f"StatefulSet serviceName {sts['spec']['serviceName']} has no Service"):
        check(svc["spec"].get("clusterIP") == "None", "the StatefulSet's Service should be headless")
        check(svc["spec"]["selector"] == selector, "Service selects other pods than the StatefulSet")
    pdb = docs.get(("PodDisruptionBudget", "jaga"), (None, None))[1]
    if check(pdb is not None, "no PodDisruptionBudget named jaga"):
        check(pdb["spec"]["selector"]["matchLabels"] == selector, "PodDisruptionBudget selects other pods")

    container = sts["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in container.get("env", [])}
    gid = env.get("JAGA_RDKAFKA_GROUP_INSTANCE_ID", {})
    check(
        gid.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "metadata.name",
        "JAGA_RDKAFKA_GROUP_INSTANCE_ID must come from the pod name (static membership)",
    )
    probes = {p: container.get(p, {}).get("httpGet", {}).get("path") for p in ["readinessProbe", "livenessProbe"]}
    check(probes == {"readinessProbe": "/readyz", "livenessProbe": "/healthz"}, f"probes: {probes}")
    resources = container.get("resources", {})
    check("memory" in resources.get("requests", {}) and "memory" in resources.get("limits", {}), "memory requests/limits")
    sc = container.get("securityContext", {})
    check(sc.get("readOnlyRootFilesystem") is True and sc.get("allowPrivilegeEscalation") is False, "container securityContext")
    check(sts["spec"]["template"]["spec"].get("securityContext", {}).get("runAsNonRoot") is True, "pods must run as non-root")

    cm = docs.get(("ConfigMap", "jaga-config"), (None, None))[1]
    config = tomllib.loads(cm["data"]["jaga.toml"]) if check(cm is not None, "no ConfigMap jaga-config") else {}
    kafka = config.get("kafka", {})
    args = container.get("args", [])
    check("--config" in args and "/etc/jaga/jaga.toml" in args, "jaga must read the ConfigMap's jaga.toml")

    so = docs.get(("ScaledObject", "jaga"), (None, None))[1]
    if check(so is not None, "no ScaledObject named jaga"):
        check_scaled_object(so, sts, kafka)

    kust = load_all(DEPLOY / "kubernetes" / "kustomization.yaml")[0]
    files = {p.name for p in (DEPLOY / "kubernetes").glob("*.yaml")} - {"kustomization.yaml"}
    check(set(kust.get("resources", [])) == files, f"kustomization.yaml resources {kust.get('resources')} != {sorted(files)}")
    for gen in kust.get("configMapGenerator", []):
        for f in gen.get("files", []):
            check((DEPLOY / "kubernetes" / f).is_file(), f"kustomization.yaml names missing file {f}")


# The fields of KEDA's ScaledObject (keda.sh/v1alpha1) this project uses or may use; anything
# else is most likely a typo that KEDA would reject.
SCALED_OBJECT_SPEC = {
    "scaleTargetRef", "pollingInterval", "cooldownPeriod", "initialCooldownPeriod", "idleReplicaCount",
    "minReplicaCount", "maxReplicaCount", "fallback", "advanced", "triggers",
}
KAFKA_TRIGGER = {
    "bootstrapServers", "consumerGroup", "topic", "lagThreshold", "activationLagThreshold", "offsetResetPolicy",
    "allowIdleConsumers", "scaleToZeroOnInvalidOffset", "excludePersistentLag", "limitToPartitionsWithLag",
    "partitionLimitation", "sasl", "tls", "version",
}


def check_scaled_object(so, sts, kafka):
    check(so.get("apiVersion") == "keda.sh/v1alpha1", "ScaledObject apiVersion must be keda.sh/v1alpha1")
    spec = so.get("spec", {})
    check(set(spec) <= SCALED_OBJECT_SPEC, f"ScaledObject spec has unknown fields {sorted(set(spec) - SCALED_OBJECT_SPEC)}")
    ref = spec.get("scaleTargetRef", {})
    check(
        (ref.get("apiVersion"), ref.get("kind"), ref.get("name")) == ("apps/v1", "StatefulSet", sts["metadata"]["name"]),
        f"ScaledObject must target the StatefulSet, got {ref}",
    )
    lo, hi = spec.get("minReplicaCount", 0), spec.get("maxReplicaCount", 100)
    check(isinstance(lo, int) and isinstance(hi, int) and 0 <= lo <= hi, f"replica bounds {lo}..{hi}")
    triggers = spec.get("triggers", [])
    check(len(triggers) >= 1, "ScaledObject has no trigger")
    for t in triggers:
        if not check(t.get("type") == "kafka", f"trigger type {t.get('type')}: expected kafka"):
            continue
        md = t.get("metadata", {})
        check(set(md) <= KAFKA_TRIGGER, f"kafka trigger has unknown fields {sorted(set(md) - KAFKA_TRIGGER)}")
        check(all(isinstance(v, str) for v in md.values()), "KEDA trigger metadata values must be strings")
        check(md.get("consumerGroup") == kafka.get("group_id"), "ScaledObject watches another consumer group than jaga's")
        check(md.get("topic") == kafka.get("input_topic"), "ScaledObject watches another topic than jaga's input")
        check(re.fullmatch(r"[1-9][0-9]*", md.get("lagThreshold", "")) is not None, "lagThreshold must be a positive integer")


def check_compose():
    compose = load_all(DEPLOY / "compose.yaml")[0]
    services = compose.get("services", {})
    for name in ["kafka", "kafka-init", "jaga"]:
        check(name in services, f"compose.yaml has no service {name}")
    for name, svc in services.items():
        deps = svc.get("depends_on", [])
        for dep in deps if isinstance(deps, list) else deps.keys():
            check(dep in services, f"compose service {name} depends on unknown service {dep}")
        for vol in svc.get("volumes", []):
            src = vol.split(":")[0]
            if src.startswith("."):
                check((DEPLOY / src).exists(), f"compose service {name} mounts missing {src}")
    kenv = services.get("kafka", {}).get("environment", {})
    roles = set(str(kenv.get("KAFKA_PROCESS_ROLES", "")).split(","))
    check(roles == {"broker", "controller"}, "Kafka must run in KRaft mode (process roles broker,controller)")
    check("KAFKA_CONTROLLER_QUORUM_VOTERS" in kenv and "CLUSTER_ID" in kenv, "KRaft needs quorum voters and a cluster id")
    check(not any("ZOOKEEPER" in k for k in kenv), "no ZooKeeper settings in a KRaft broker")
    build = services.get("jaga", {}).get("build", {})
    check((DEPLOY / build.get("context", "") / build.get("dockerfile", "")).is_file(), "jaga's build Dockerfile is missing")


def check_dockerfile():
    commands = dockerfile.parse_file(str(DEPLOY / "Dockerfile"))
    stages, current = [], None
    for c in commands:
        if c.cmd == "FROM":
            current = {"from": c.value, "cmds": []}
            stages.append(current)
        elif current is not None:
            current["cmds"].append(c)
    if not check(len(stages) >= 2, "the Dockerfile must be multi-stage"):
        return
    build, final = stages[:-1], stages[-1]
    build_runs = " ".join(" ".join(c.value) for s in build for c in s["cmds"] if c.cmd == "RUN")
    check("model fetch" in build_runs, "the encoder weights must be fetched in a build stage (`jaga model fetch`)")
    check("cargo build --release --locked" in build_runs, "the build stage must build with --locked")
    build_env = " ".join(" ".join(c.value) for s in build for c in s["cmds"] if c.cmd == "ENV")
    check("RUSTFLAGS" in build_env and "target-cpu=" in build_env, "RUSTFLAGS must set an explicit target-cpu")
    check("native" not in build_env, "target-cpu=native ties the image to the build host's CPU")
    users = [c.value[0] for c in final["cmds"] if c.cmd == "USER"]
    check(users and users[-1].split(":")[0] not in ("0", "root"), "the final stage must run as a non-root user")
    check(users and users[-1].split(":")[0].isdigit(), "use a numeric USER so runAsNonRoot can verify it")
    final_runs = " ".join(" ".join(c.value) for c in final["cmds"] if c.cmd == "RUN")
    check("cargo" not in final_runs and "pip" not in final_runs, "the final stage must not build or fetch")


def main():
    check_kubernetes()
    check_compose()
    check_dockerfile()
    if problems:
        for p in problems:
            print(f"deploy/check.py: {p}", file=sys.stderr)
        return 1
    print("deploy/check.py: kubernetes consistency, KEDA ScaledObject structure, compose.yaml, Dockerfile: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
