#!/usr/bin/env bash
# Prints the kit's Kubernetes manifests, built from .env:
#   ./kustom.sh | kubectl apply -f -      deploy (or update)
#   ./kustom.sh | kubectl delete -f -     remove
# Steps: check .env (every problem listed, exit 2) → synthesize the cdk8s app into dist/ → write the
# kustomize overlay dist/kustomization.yaml (namespace, images, labels) → `kubectl kustomize dist`.
# KIT_ENV_FILE and KIT_OUT_DIR override the .env path and the output folder. Progress goes to stderr, so
# stdout carries only the manifests.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
env_file="${KIT_ENV_FILE:-$root/.env}"
out_dir="${KIT_OUT_DIR:-$root/dist}"

if [ ! -f "$env_file" ]; then
  echo "kustom.sh: $env_file not found — copy .env.example to .env and set your values" >&2
  exit 2
fi
if ! command -v kubectl >/dev/null 2>&1; then
  echo "kustom.sh: kubectl not found — it renders the kustomize overlay (kubectl kustomize)" >&2
  exit 127
fi

(cd "$root" && node --import tsx k8s/main.ts --env-file "$env_file" --out "$out_dir" --require-env-file) >&2
kubectl kustomize "$out_dir"
