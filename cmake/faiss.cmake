# faiss.cmake - find the faiss in FAISS_ROOT and what its C API offers.
#
# In:  FAISS_ROOT (install prefix), FS_FAISS_VARIANT (auto, generic, avx2).
# Out: FAISS_LIB, FAISS_C_LIB (the libraries linked), FAISS_LIB_DIR (their
#      folder, for the RUNPATH), FAISS_VERSION (from the headers),
#      FAISS_SIMD (the literal compiled into the libfaiss linked),
#      FAISS_VARIANT_USED (generic or avx2), FS_FAISS_DEFINITIONS (FS_HAVE_*
#      macros for the C API calls the headers found declare and the library
#      defines), FS_FAISS_FEATURES (their names, space separated).
# Feature checks, not version-number guesses: a call is used when the
# headers declare it and the library links it.
include(CheckSymbolExists)

set(FS_FAISS_VARIANT "auto" CACHE STRING
    "faiss libraries to link: auto (avx2 when libfaiss_avx2 and libfaiss_c_avx2 are both there and the CPU has AVX2), generic, avx2")
set_property(CACHE FS_FAISS_VARIANT PROPERTY STRINGS auto generic avx2)
if(NOT FS_FAISS_VARIANT MATCHES "^(auto|generic|avx2)$")
  message(FATAL_ERROR "FS_FAISS_VARIANT=${FS_FAISS_VARIANT}: expected auto, generic or avx2")
endif()

# A new FAISS_ROOT or variant forgets what was found for the old one (a
# first configure keeps libraries given with -DFAISS_LIB=... and the like).
if(DEFINED _FS_FAISS_FOUND_FOR AND
   NOT "${_FS_FAISS_FOUND_FOR}" STREQUAL "${FAISS_ROOT}|${FS_FAISS_VARIANT}")
  foreach(v FAISS_LIB FAISS_C_LIB FAISS_AVX2_LIB FAISS_C_AVX2_LIB
            FS_HAVE_FAISS_GET_VERSION FS_HAVE_FAISS_SEARCH_PARAMETERS)
    unset(${v} CACHE)
  endforeach()
endif()
set(_FS_FAISS_FOUND_FOR "${FAISS_ROOT}|${FS_FAISS_VARIANT}" CACHE INTERNAL "")

# faiss's own install puts its libraries in lib/ (or lib64/, or a Debian
# multiarch folder); 1.7.3 leaves libfaiss_c out (scripts/build-faiss.sh
# copies it beside libfaiss), later releases and packagers ship it there.
set(_fs_faiss_libdirs "${FAISS_ROOT}/lib" "${FAISS_ROOT}/lib64")
if(CMAKE_LIBRARY_ARCHITECTURE)
  list(APPEND _fs_faiss_libdirs "${FAISS_ROOT}/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
endif()
foreach(pair "FAISS_LIB;faiss" "FAISS_C_LIB;faiss_c" "FAISS_AVX2_LIB;faiss_avx2"
             "FAISS_C_AVX2_LIB;faiss_c_avx2")
  list(GET pair 0 var)
  list(GET pair 1 name)
  find_library(${var} ${name} PATHS ${_fs_faiss_libdirs} NO_DEFAULT_PATH)
endforeach()
if(NOT FAISS_C_LIB OR NOT FAISS_LIB OR NOT EXISTS "${FAISS_ROOT}/include/faiss/c_api/faiss_c.h")
  message(FATAL_ERROR "faiss with its C API not found in FAISS_ROOT=${FAISS_ROOT}; "
                      "run scripts/build-faiss.sh or pass -DFAISS_ROOT=...")
endif()

# The AVX2 variant needs both libraries: libfaiss_c_avx2 is the C API
# linked against libfaiss_avx2 (the generic libfaiss_c would pull in the
# generic libfaiss beside it).
set(_fs_have_avx2 OFF)
if(FAISS_AVX2_LIB AND FAISS_C_AVX2_LIB)
  set(_fs_have_avx2 ON)
endif()
set(_fs_cpu_avx2 ON)
if(EXISTS /proc/cpuinfo)
  file(STRINGS /proc/cpuinfo _fs_avx2_flag REGEX "^flags.*[ \t]avx2([ \t]|$)" LIMIT_COUNT 1)
  if(NOT _fs_avx2_flag)
    set(_fs_cpu_avx2 OFF)
  endif()
endif()
set(FAISS_VARIANT_USED generic)
if(FS_FAISS_VARIANT STREQUAL "avx2")
  if(NOT _fs_have_avx2)
    message(FATAL_ERROR "FS_FAISS_VARIANT=avx2 but libfaiss_avx2 and libfaiss_c_avx2 are "
                        "not both in FAISS_ROOT=${FAISS_ROOT}")
  endif()
  set(FAISS_VARIANT_USED avx2)
elseif(FS_FAISS_VARIANT STREQUAL "auto" AND _fs_have_avx2 AND _fs_cpu_avx2)
  set(FAISS_VARIANT_USED avx2)
endif()
if(FAISS_VARIANT_USED STREQUAL "avx2")
  set(FAISS_LIB "${FAISS_AVX2_LIB}")
  set(FAISS_C_LIB "${FAISS_C_AVX2_LIB}")
endif()
get_filename_component(FAISS_LIB_DIR "${FAISS_LIB}" DIRECTORY)

# Version and SIMD level are read from the library and headers actually
# used: get_compile_options() keeps its "AVX2"/"GENERIC"/"NEON" literal in
# libfaiss, with a trailing space since 1.11 ("AVX2 ").
set(FAISS_VERSION "unknown")
if(EXISTS "${FAISS_ROOT}/include/faiss/Index.h")
  file(STRINGS "${FAISS_ROOT}/include/faiss/Index.h" _v REGEX "define FAISS_VERSION_(MAJOR|MINOR|PATCH)")
  string(REGEX REPLACE ".*MAJOR ([0-9]+).*MINOR ([0-9]+).*PATCH ([0-9]+).*" "\\1.\\2.\\3" FAISS_VERSION "${_v}")
endif()
set(FAISS_SIMD "unknown")
file(STRINGS "${FAISS_LIB}" _simd REGEX "^(AVX512_SPR|AVX512|AVX2|SVE|GENERIC|NEON) *$" LIMIT_COUNT 1)
if(_simd)
  string(STRIP "${_simd}" FAISS_SIMD)
endif()

# C API calls that not every release has.
set(CMAKE_REQUIRED_QUIET ON)
set(CMAKE_REQUIRED_INCLUDES "${FAISS_ROOT}/include")
set(CMAKE_REQUIRED_LIBRARIES "${FAISS_C_LIB}" "${FAISS_LIB}")
set(CMAKE_REQUIRED_LINK_OPTIONS "-Wl,-rpath-link,${FAISS_LIB_DIR}")
set(FS_FAISS_DEFINITIONS)
set(FS_FAISS_FEATURES)
# faiss_get_version (1.9+): the version of the library loaded at run time.
set(_fs_h "faiss/c_api/faiss_c.h")
if(EXISTS "${FAISS_ROOT}/include/faiss/c_api/utils/utils_c.h")
  list(APPEND _fs_h "faiss/c_api/utils/utils_c.h")
endif()
check_symbol_exists(faiss_get_version "${_fs_h}" FS_HAVE_FAISS_GET_VERSION)
# SearchParameters in the C API (1.7.4+): detected and recorded only.
check_symbol_exists(faiss_SearchParameters_new "faiss/c_api/Index_c.h"
                    FS_HAVE_FAISS_SEARCH_PARAMETERS)
foreach(f GET_VERSION SEARCH_PARAMETERS)
  if(FS_HAVE_FAISS_${f})
    list(APPEND FS_FAISS_DEFINITIONS FS_HAVE_FAISS_${f}=1)
    string(TOLOWER "${f}" _f)
    list(APPEND FS_FAISS_FEATURES "${_f}")
  endif()
endforeach()
list(JOIN FS_FAISS_FEATURES " " FS_FAISS_FEATURES)
unset(CMAKE_REQUIRED_QUIET)
unset(CMAKE_REQUIRED_INCLUDES)
unset(CMAKE_REQUIRED_LIBRARIES)
unset(CMAKE_REQUIRED_LINK_OPTIONS)
set(_fs_extras "${FS_FAISS_FEATURES}")
if(NOT _fs_extras)
  set(_fs_extras "none")
endif()
message(STATUS "faiss ${FAISS_VERSION} (${FAISS_SIMD}, ${FAISS_VARIANT_USED} libraries) from "
               "${FAISS_LIB_DIR}; C API extras: ${_fs_extras}")
