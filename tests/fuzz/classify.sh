# classify.sh - sourced by run.sh (and classify-test.sh): whether a
# sanitizer's or libFuzzer's report starts in HDF5.
#   starts_in_hdf5 REPORT    exit 0 if it does
# A report starts in HDF5 when its first frame that is not the
# sanitizers', libFuzzer's or the C library's (a signal's return, an
# allocator, memcpy: named by its module, or by its source file where the
# C library's debug symbols are installed: string/../sysdeps/...) is in
# libhdf5, and so is that of the block's allocation when ASan names one (a
# buffer of ours too small for what we asked HDF5 to fill is ours).

first_frame() {
    grep -E '^ *#[0-9]+ ' |
        grep -vE '__sanitizer|__asan|__interceptor|__ubsan|fuzzer::|libc\.so|__restore_rt' |
        grep -vE ' in (malloc|calloc|realloc|free|memcpy|memmove|memset) ' |
        grep -vE ' (string|malloc|libio|stdlib|stdio-common|nptl|misc|posix|signal|elf|sysdeps)/[^ ]*:[0-9]+' |
        head -n 1
}

starts_in_hdf5() {
    first_frame <"$1" | grep -q 'libhdf5' || return 1
    ! grep -q 'allocated by thread' "$1" ||
        sed -n '/allocated by thread/,/^$/p' "$1" | first_frame | grep -q 'libhdf5'
}
