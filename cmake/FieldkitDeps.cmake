# Dependencies, all from Debian packages (scripts/setup-deps.sh installs them).
#  - Dear ImGui 1.86: compiled from Debian's source tarball for BOTH targets, so
#    the desktop and the page run the same ImGui code.
#  - nlohmann/json, doctest, stb: header-only. For emcc we must not add
#    -I/usr/include (it would pull host libc headers), so they are symlinked
#    into a private include dir.

# The fuzz build (FIELDKIT_FUZZ) has no UI: no ImGui, no GLFW.
if(NOT FIELDKIT_FUZZ)
  set(FIELDKIT_IMGUI_TARBALL ${CMAKE_SOURCE_DIR}/third_party/imgui_1.86+ds.orig.tar.xz
      CACHE FILEPATH "Debian's imgui source tarball (apt-get source --download-only imgui)")
  set(IMGUI_DIR ${CMAKE_BINARY_DIR}/_deps/imgui-1.86)
  if(NOT EXISTS ${IMGUI_DIR}/imgui.cpp)
    if(NOT EXISTS ${FIELDKIT_IMGUI_TARBALL})
      message(FATAL_ERROR "ImGui sources missing: ${FIELDKIT_IMGUI_TARBALL}\n"
                          "Run scripts/setup-deps.sh as root (or `make deps`).")
    endif()
    file(ARCHIVE_EXTRACT INPUT ${FIELDKIT_IMGUI_TARBALL} DESTINATION ${CMAKE_BINARY_DIR}/_deps
         PATTERNS "imgui-1.86/*.cpp" "imgui-1.86/*.h" "imgui-1.86/backends/*")
  endif()

  add_library(imgui STATIC
    ${IMGUI_DIR}/imgui.cpp ${IMGUI_DIR}/imgui_draw.cpp ${IMGUI_DIR}/imgui_tables.cpp
    ${IMGUI_DIR}/imgui_widgets.cpp ${IMGUI_DIR}/imgui_demo.cpp ${CMAKE_CURRENT_LIST_DIR}/fk_imassert.cpp)
  target_include_directories(imgui SYSTEM PUBLIC ${IMGUI_DIR} ${CMAKE_CURRENT_LIST_DIR})
  target_compile_definitions(imgui PUBLIC IMGUI_DISABLE_OBSOLETE_FUNCTIONS IMGUI_USER_CONFIG="fk_imconfig.h")
  if(EMSCRIPTEN)
    target_compile_definitions(imgui PUBLIC IMGUI_IMPL_OPENGL_ES3)
  endif()
  # The sanitizer build checks our code; ImGui's own sources compiled uninstrumented (ASan still
  # guards every heap block they get from malloc) save minutes of make test's ASan build.
  if(FIELDKIT_SANITIZE)
    target_compile_options(imgui PRIVATE -fno-sanitize=all -g0)
  endif()

  # Platform backends: only native/ and wasm/ link these.
  add_library(imgui_glfw_gl3 STATIC
    ${IMGUI_DIR}/backends/imgui_impl_glfw.cpp ${IMGUI_DIR}/backends/imgui_impl_opengl3.cpp)
  target_include_directories(imgui_glfw_gl3 SYSTEM PUBLIC ${IMGUI_DIR}/backends)
  target_link_libraries(imgui_glfw_gl3 PUBLIC imgui)
  if(EMSCRIPTEN)
    target_link_options(imgui_glfw_gl3 PUBLIC "SHELL:-s USE_GLFW=3")
  else()
    find_package(PkgConfig REQUIRED)
    pkg_check_modules(GLFW REQUIRED IMPORTED_TARGET glfw3)
    find_package(OpenGL REQUIRED)
    target_link_libraries(imgui_glfw_gl3 PUBLIC PkgConfig::GLFW OpenGL::GL ${CMAKE_DL_LIBS})
  endif()
endif()

# Header-only libraries through a private include dir.
set(FIELDKIT_SYSINC ${CMAKE_BINARY_DIR}/_deps/include)
file(MAKE_DIRECTORY ${FIELDKIT_SYSINC})
foreach(dep nlohmann doctest stb)
  if(NOT EXISTS /usr/include/${dep})
    message(FATAL_ERROR "/usr/include/${dep} missing: run scripts/setup-deps.sh as root")
  endif()
  if(NOT EXISTS ${FIELDKIT_SYSINC}/${dep})
    file(CREATE_LINK /usr/include/${dep} ${FIELDKIT_SYSINC}/${dep} SYMBOLIC)
  endif()
endforeach()
add_library(fk_headeronly INTERFACE)
target_include_directories(fk_headeronly SYSTEM INTERFACE ${FIELDKIT_SYSINC})

# XNNPACK: natively Debian bookworm's binary libxnnpack-dev (its 2022 API); in
# wasm Debian trixie's 2024 source, compiled by cmake/XnnpackWasm.cmake. Either
# way a target `xnnpack`, and FIELDKIT_XNNPACK_API says which API it has.
if(EMSCRIPTEN AND FIELDKIT_XNNPACK)
  include(XnnpackWasm)
elseif(FIELDKIT_XNNPACK)
  set(FIELDKIT_XNNPACK_API 2022)
  find_path(XNNPACK_INCLUDE xnnpack.h)
  find_library(XNNPACK_LIB XNNPACK)
  find_library(PTHREADPOOL_LIB pthreadpool)
  if(NOT XNNPACK_INCLUDE OR NOT XNNPACK_LIB OR NOT PTHREADPOOL_LIB)
    message(FATAL_ERROR "XNNPACK not found: install libxnnpack-dev libpthreadpool-dev or pass -DFIELDKIT_XNNPACK=OFF")
  endif()
  add_library(xnnpack INTERFACE)
  target_include_directories(xnnpack SYSTEM INTERFACE ${XNNPACK_INCLUDE})
  target_link_libraries(xnnpack INTERFACE ${XNNPACK_LIB} ${PTHREADPOOL_LIB})
endif()
