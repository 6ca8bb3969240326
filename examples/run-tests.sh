#!/bin/sh
# Starts the test containers.
set -eu

docker run -d --name web nginx          # default seccomp profile: fine

docker run --rm -it \
    --security-opt seccomp=unconfined \
    --name debug busybox sh

sudo podman run --privileged --rm alpine true

# An argument of the container's command, not a docker option: fine.
docker run --rm alpine echo --privileged
