# XNNPACK for the wasm build (issue #17): Debian trixie's 2024 source
# (scripts/fetch_debsrc.py unpacks and patches it into third_party/src/), compiled
# single-threaded for wasm SIMD128 into one static library, `xnnpack_wasm`, that
# the page and the wasm doctest binary both link through the `xnnpack` target.
#
# XNNPACK's own CMake has no Emscripten branch (Emscripten's toolchain makes it
# pick x86 kernels), so this file drives the build itself from the source's
# lists: the operator/subgraph/config sets are read out of its CMakeLists.txt,
# the microkernels from cmake/gen/{scalar,wasmsimd}_microkernels.cmake, production
# kernels only (the ones its configs select; the non-production variants exist
# for its benchmarks and would triple the compile time). cpuinfo is off (the
# wasm paths never call it), KleidiAI off (Arm only), assembly off; pthreadpool
# is its no-thread shim (shim.c), fxdiv header-only.
#
# Used only when EMSCRIPTEN; natively the build links Debian bookworm's binary
# libxnnpack-dev (the 2022 API). FIELDKIT_XNNPACK_API tells the backend code which
# API it compiles against (2022 or 2024).

set(FIELDKIT_DEBSRC_DIR ${CMAKE_SOURCE_DIR}/third_party/src CACHE PATH
    "Where scripts/fetch_debsrc.py unpacked XNNPACK, pthreadpool and fxdiv")
set(_xnn ${FIELDKIT_DEBSRC_DIR}/xnnpack)
set(_ptp ${FIELDKIT_DEBSRC_DIR}/pthreadpool)
set(_fxd ${FIELDKIT_DEBSRC_DIR}/fxdiv)
foreach(_d xnnpack pthreadpool fxdiv)
  if(NOT EXISTS ${FIELDKIT_DEBSRC_DIR}/${_d}/.fieldkit-unpacked)
    message(FATAL_ERROR "XNNPACK sources for the wasm build missing: ${FIELDKIT_DEBSRC_DIR}/${_d}/ is not unpacked.\n"
                        "Run `make deps` (scripts/fetch_debsrc.py fetches Debian trixie's pinned source tarballs, "
                        "checks them and applies patches/), or configure with -DFIELDKIT_XNNPACK=OFF for a page "
                        "without the XNNPACK backends.")
  endif()
endforeach()

# SET(<name> ...) blocks of XNNPACK's CMakeLists.txt, as lists of absolute paths
# (entries naming a generated file, "${PROJECT_BINARY_DIR}/...", are dropped).
file(READ ${_xnn}/CMakeLists.txt _xnn_cmake)
function(_xnn_list name out)
  string(REGEX MATCH "SET\\(${name}\n[^)]*\\)" block "${_xnn_cmake}")
  if(NOT block)
    message(FATAL_ERROR "${_xnn}/CMakeLists.txt: no SET(${name} ...) list (not the pinned XNNPACK version?)")
  endif()
  string(REGEX REPLACE "^SET\\(${name}|\\)$" "" block "${block}")
  string(REGEX REPLACE "[ \t\r\n]+" ";" block "${block}")
  set(files)
  foreach(f IN LISTS block)
    if(f AND NOT f MATCHES "\\$\\{")
      list(APPEND files ${_xnn}/${f})
    endif()
  endforeach()
  set(${out} ${files} PARENT_SCOPE)
endfunction()
foreach(_l OPERATOR_SRCS REFERENCE_SRCS SUBGRAPH_SRCS LOGGING_SRCS XNNPACK_SRCS TABLE_SRCS)
  _xnn_list(${_l} _xnn_${_l})
endforeach()

# The production microkernel lists (paths relative to the XNNPACK tree).
include(${_xnn}/cmake/gen/scalar_microkernels.cmake)
include(${_xnn}/cmake/gen/wasmsimd_microkernels.cmake)
set(_xnn_kernels)
foreach(f IN LISTS PROD_SCALAR_MICROKERNEL_SRCS PROD_WASMSIMD_MICROKERNEL_SRCS)
  list(APPEND _xnn_kernels ${_xnn}/${f})
endforeach()
# gemm-config.c's wasm SIMD branch also takes two non-SIMD wasm kernels (4-bit
# weights) that no production list names; without them the link fails.
foreach(f f32-qc4w-gemm-1x4-minmax-wasm.c f32-qc4w-gemm-4x4-minmax-wasm.c)
  list(APPEND _xnn_kernels ${_xnn}/src/f32-qc4w-gemm/gen/${f})
endforeach()

# build_identifier.c: XNNPACK's fingerprint of its kernel set (for weight caches;
# made by its own script from the same list, as its CMake does).
list(SORT _xnn_kernels)
set(_xnn_gen ${CMAKE_BINARY_DIR}/_deps/xnnpack)
set(_xnn_rel_kernels)
foreach(f IN LISTS _xnn_kernels)
  file(RELATIVE_PATH r ${_xnn} ${f})
  list(APPEND _xnn_rel_kernels ${r})
endforeach()
string(REPLACE ";" "\n" _xnn_klist "${_xnn_rel_kernels}")
file(WRITE ${_xnn_gen}/prod_microkernel_srcs.txt.new "${_xnn_klist}")
configure_file(${_xnn_gen}/prod_microkernel_srcs.txt.new ${_xnn_gen}/prod_microkernel_srcs.txt COPYONLY)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_custom_command(
  OUTPUT ${_xnn_gen}/build_identifier.c
  COMMAND ${Python3_EXECUTABLE} scripts/generate-build-identifier.py --output ${_xnn_gen}/build_identifier.c
          --input_file_list ${_xnn_gen}/prod_microkernel_srcs.txt
  DEPENDS ${_xnn_gen}/prod_microkernel_srcs.txt
  WORKING_DIRECTORY ${_xnn}
  COMMENT "XNNPACK build identifier")

add_library(xnnpack_wasm STATIC
  ${_xnn_OPERATOR_SRCS} ${_xnn_REFERENCE_SRCS} ${_xnn_SUBGRAPH_SRCS} ${_xnn_LOGGING_SRCS}
  ${_xnn_XNNPACK_SRCS} ${_xnn_TABLE_SRCS} ${_xnn_kernels} ${_xnn_gen}/build_identifier.c
  ${_xnn}/src/configs/hardware-config.c ${_xnn}/src/indirection.c ${_xnn}/src/microparams-init.c
  ${_xnn}/src/normalization.c ${_xnn}/src/reference/packing.cc ${_xnn}/src/allocator.c ${_xnn}/src/cache.c
  ${_xnn}/src/datatype.c ${_xnn}/src/memory.c ${_xnn}/src/microkernel-utils.c ${_xnn}/src/mutex.c
  ${_xnn}/src/operator-run.c ${_xnn}/src/operator-utils.c
  ${_ptp}/src/legacy-api.c ${_ptp}/src/shim.c)
target_include_directories(xnnpack_wasm SYSTEM PUBLIC ${_xnn}/include ${_ptp}/include)
target_include_directories(xnnpack_wasm PRIVATE ${_xnn}/src ${_xnn} ${_fxd}/include)
set(_xnn_off ARM_FP16_VECTOR ARM_FP16_SCALAR ARM_BF16 ARM_DOTPROD ARM_I8MM ARM_SME ARM_SME2 RISCV_VECTOR AVXVNNI
    AVXVNNIINT8 AVX256SKX AVX256VNNI AVX256VNNIGFNI AVX512F AVX512SKX AVX512VBMI AVX512VNNI AVX512VNNIGFNI
    AVX512AMX AVX512FP16 VSX HVX ASSEMBLY DWCONV_MULTIPASS KLEIDIAI CPUINFO)
set(_xnn_defs XNN_ENABLE_MEMOPT=1 XNN_ENABLE_SPARSE=1 XNN_ENABLE_GEMM_M_SPECIALIZATION=1 XNN_LOG_LEVEL=0)
foreach(_o IN LISTS _xnn_off)
  list(APPEND _xnn_defs XNN_ENABLE_${_o}=0)
endforeach()
target_compile_definitions(xnnpack_wasm PRIVATE ${_xnn_defs})
# -msimd128 on every file: XNNPACK picks its wasm SIMD configs from __wasm_simd128__.
target_compile_options(xnnpack_wasm PRIVATE -msimd128 -fno-math-errno -w)
set_target_properties(xnnpack_wasm PROPERTIES C_STANDARD 11 C_EXTENSIONS ON CXX_STANDARD 17)
# ccache: the project-wide compiler launcher (cmake/FieldkitDefaults.cmake) covers it.

# Unity build: each emcc call costs about half a second of CPU in its Python driver before clang
# starts, and every kernel re-parses XNNPACK's headers; 25 wasm SIMD kernels took 15.3 s of CPU one
# by one and 1.8 s as one unit (measured, ccache off). Kernels are grouped by ISA (a unit mixing the
# scalar and wasm SIMD kernels redefines xnn_simd_f32_t), 32 to a unit; a file's own macros are
# guarded (#ifndef), so a unit compiles each kernel as it compiles alone. Operator and subgraph
# files define same-named static helpers, so they compile alone, as does the generated file.
set(_xnn_per_unit 32)
set_target_properties(xnnpack_wasm PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
get_target_property(_xnn_srcs xnnpack_wasm SOURCES)
foreach(src IN LISTS _xnn_srcs)
  if(src MATCHES "/src/(operators|subgraph)/" OR src MATCHES "^${_xnn_gen}/" OR NOT src MATCHES "\\.c$")
    set_source_files_properties(${src} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
    continue()
  endif()
  list(FIND _xnn_kernels ${src} _k)
  if(_k GREATER -1)
    get_filename_component(name ${src} NAME_WE)
    if(name MATCHES "-wasmsimd")
      set(key kernels_wasmsimd)
    elseif(name MATCHES "-wasm(-|$)")
      set(key kernels_wasm)
    else()
      set(key kernels_scalar)
    endif()
  else()
    get_filename_component(dir ${src} DIRECTORY)
    file(RELATIVE_PATH rel ${FIELDKIT_DEBSRC_DIR} ${dir})
    string(MAKE_C_IDENTIFIER "${rel}" key)
  endif()
  if(NOT DEFINED _xnn_n_${key})
    set(_xnn_n_${key} 0)
  endif()
  math(EXPR unit "${_xnn_n_${key}} / ${_xnn_per_unit}")
  math(EXPR _xnn_n_${key} "${_xnn_n_${key}} + 1")
  set_source_files_properties(${src} PROPERTIES UNITY_GROUP xnn_${key}_${unit})
endforeach()

add_library(xnnpack INTERFACE)
target_link_libraries(xnnpack INTERFACE xnnpack_wasm)
set(FIELDKIT_XNNPACK_API 2024)
