# Target defaults shared by every Fieldkit target.
set(CMAKE_CXX_STANDARD 17)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_POSITION_INDEPENDENT_CODE OFF)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "" FORCE)
endif()
if(NOT FIELDKIT_OUT_DIR)
  set(FIELDKIT_OUT_DIR ${CMAKE_BINARY_DIR})
endif()
set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${FIELDKIT_OUT_DIR})

# Emscripten turns C++ exceptions into aborts by default; our core reports bad
# input by Status, but parsers (nlohmann/json, std::sto*) and std::filesystem
# can throw, and a malformed file in the browser must be a message, not a dead
# tab. Emscripten 3.1.6 ships only the JS-based exception runtime (no
# -fwasm-exceptions libc++ in its frozen cache).
if(EMSCRIPTEN)
  add_compile_options(-fexceptions)
  add_link_options(-fexceptions)
endif()

# ASan + UBSan over the whole native tree (build/cmake-asan, `make test` runs the
# doctest suite under it). UB is fatal (-fno-sanitize-recover) so a report fails
# the stage instead of scrolling by; frame pointers keep the stacks readable.
option(FIELDKIT_SANITIZE "Native: build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
if(FIELDKIT_SANITIZE)
  if(EMSCRIPTEN)
    message(FATAL_ERROR "FIELDKIT_SANITIZE is for the native build only")
  endif()
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
# The ASan build (make sanitize) compiles the core, the panels and the CLI in units of four files
# (fieldkit_unity_by_folder): fk_core took 474 instead of 636 s of CPU, measured with ccache off. The
# Release builds keep one file per unit, so the benchmarks measure the code as it always was built.
option(FIELDKIT_UNITY_CORE "Compile fk_core, fk_ui and fk_cli four files of one folder to a unit" ${FIELDKIT_SANITIZE})

# Emscripten's em++ too: its objects cache like any compiler's (checked: a second compile of
# a file is a direct hit), and the browser build is the longest of make test's three.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  set(CMAKE_C_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()

# The git hash shown in the System panel and `fieldkit-cli --version`.
execute_process(COMMAND git rev-parse --short=10 HEAD
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR} OUTPUT_VARIABLE FIELDKIT_GIT_HASH
  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT FIELDKIT_GIT_HASH)
  set(FIELDKIT_GIT_HASH "unknown")
endif()

# Unity build of TARGET: its sources (the arguments after PER_UNIT) a few files of one folder to a translation unit.
# Files that parse and instantiate the same heavy headers (doctest, nlohmann/json, <regex>...) then
# do it once per unit. Units never cross a folder, whose files share their `using namespace` lines,
# so a helper in a file's anonymous namespace needs a name unique in its folder. Files with compile
# flags or defines of their own (ISA kernels, -fwrapv, the commit hash) compile alone.
function(fieldkit_unity_by_folder target per_unit)
  set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_MODE GROUP)
  # A helper that another file's better-matching overload silently replaces is left unused:
  # an error, so the hijack shows (it happened once, TempDir(const char*) vs (const std::string&)).
  target_compile_options(${target} PRIVATE -Werror=unused-function)
  foreach(src IN LISTS ARGN)
    get_source_file_property(opts ${src} COMPILE_OPTIONS)
    get_source_file_property(defs ${src} COMPILE_DEFINITIONS)
    if(opts OR defs)
      set_source_files_properties(${src} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
      continue()
    endif()
    get_filename_component(dir ${src} DIRECTORY)
    string(MAKE_C_IDENTIFIER "${dir}" key)
    if(NOT DEFINED n_${key})
      set(n_${key} 0)
    endif()
    math(EXPR unit "${n_${key}} / ${per_unit}")
    math(EXPR n_${key} "${n_${key}} + 1")
    file(RELATIVE_PATH rel ${CMAKE_SOURCE_DIR} ${dir})
    string(MAKE_C_IDENTIFIER "${rel}_${unit}" unit_name)
    set_source_files_properties(${src} PROPERTIES UNITY_GROUP ${unit_name})
  endforeach()
endfunction()

function(fieldkit_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
endfunction()

# ISA flags go only on files whose name says the ISA (XNNPACK's rule): a kernel
# named foo_avx2.cpp gets -mavx2 -mfma, nothing else does. Scalar kernels get
# no auto-vectorisation so the scalar-vs-SIMD comparison is honest.
function(fieldkit_isa_flags)
  foreach(src IN LISTS ARGN)
    get_filename_component(name ${src} NAME_WE)
    if(name MATCHES "_scalar$")
      if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-fno-vectorize;-fno-slp-vectorize")
      else()
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-fno-tree-vectorize")
      endif()
    elseif(EMSCRIPTEN)
      if(name MATCHES "_wasmsimd$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-msimd128")
      endif()
    else()
      if(name MATCHES "_sse2$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-msse2")
      elseif(name MATCHES "_avx2$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma")
      elseif(name MATCHES "_avx512$")
        set_source_files_properties(${src} PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512bw;-mavx512vl;-mavx2;-mfma")
      endif()
    endif()
  endforeach()
endfunction()

# Which ISA files belong to this target: wasm builds only *_wasmsimd, native
# builds *_sse2/_avx2/_avx512 (x86-64 only).
function(fieldkit_filter_isa out_var)
  set(kept)
  foreach(src IN LISTS ARGN)
    get_filename_component(name ${src} NAME_WE)
    if(name MATCHES "_wasmsimd$")
      if(EMSCRIPTEN)
        list(APPEND kept ${src})
      endif()
    elseif(name MATCHES "_(sse2|avx2|avx512)$")
      if(NOT EMSCRIPTEN AND CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
        list(APPEND kept ${src})
      endif()
    elseif(name MATCHES "_xnnpack$")
      if(FIELDKIT_XNNPACK)
        list(APPEND kept ${src})
      endif()
    else()
      list(APPEND kept ${src})
    endif()
  endforeach()
  set(${out_var} ${kept} PARENT_SCOPE)
endfunction()
