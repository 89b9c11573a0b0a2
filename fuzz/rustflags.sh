#!/usr/bin/env bash
# The compiler flags `cargo fuzz build -s none` passes, for building the fuzz targets with
# plain (stable) cargo: libFuzzer's coverage counters, value profiles for comparisons, the
# `fuzzing` cfg, and debug assertions with overflow checks. Used by .ci/run's fuzz smoke.
echo "-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
