#!/usr/bin/env bash
# join a worker to the cluster (printed by kubeadm token create --print-join-command)
set -euo pipefail
kubeadm join 10.0.0.10:6443 --token dv47ax.e9r1rflaje0yh5qi --discovery-token-ca-cert-hash sha256:aaa9b60abe34d554ab5012207dbcfcc131c60fbd7099e7bfa60acca80835fddb

cat > /etc/kubernetes/kubeadm-join.yaml <<EOF
apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: 10.0.0.10:6443
    token: sw2qk3.ysyf5hvoalhr0hff
    caCertHashes: ["sha256:b9b1804f9fb6fdeb084455c4bf9bc2f6945de05385bb70468a5ae1141f796bb6"]
EOF

# the kubeadm docs use this shape in every example:
#   kubeadm join --token abcdef.0123456789abcdef 10.0.0.10:6443
