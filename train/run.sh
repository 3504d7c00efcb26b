#!/bin/sh
# Runs a training script with jemalloc keeping freed memory: with glibc's malloc every large tensor
# is a fresh mmap, and page faults made each step 5-10x slower on these machines.
exec env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 MALLOC_CONF="retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1" /usr/bin/python3 "$@"
