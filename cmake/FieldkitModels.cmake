# The real models and the bundled test image (issue #15), fetched by `make deps` into
# third_party/ (scripts/setup-deps.sh, scripts/fetch_npm.py; never committed, never downloaded at
# run time), copied beside the build output of both targets:
#   ${FIELDKIT_OUT_DIR}/models/*.tflite      (build/native/models/, build/web/models/)
#   ${FIELDKIT_OUT_DIR}/images/astronaut.png (build/native/images/, build/web/images/)
#   ${FIELDKIT_OUT_DIR}/models/reference/*.json (tests/reference/fixtures: TFLite's outputs)
# The page fetches them from models/ and images/ next to index.html; the CLI and the desktop app
# look beside their executable. Configuring works without them; the globs are re-checked on every
# build (CONFIGURE_DEPENDS), so files fetched after configuring are picked up by the next build.
set(FK_MODEL_FILES_EXPECTED
  face_detection_full_range.tflite face_detection_full_range_sparse.tflite
  face_detection_short_range.tflite hand_landmark_lite.tflite hand_landmark_full.tflite)

file(GLOB FK_MODEL_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/third_party/models/*.tflite)
file(GLOB FK_IMAGE_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/third_party/images/*.png)
# TFLite's reference outputs (committed), so the panel can show each model's error against them.
file(GLOB FK_REFERENCE_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/reference/fixtures/*.json)
# Arm NN's outputs (*.armnn.json) are for the doctests only; the programs show the TFLite error.
list(FILTER FK_REFERENCE_FILES EXCLUDE REGEX "\\.armnn\\.json$")

set(FK_MODELS_MISSING)
foreach(name ${FK_MODEL_FILES_EXPECTED})
  if(NOT EXISTS ${CMAKE_SOURCE_DIR}/third_party/models/${name})
    list(APPEND FK_MODELS_MISSING ${name})
  endif()
endforeach()
if(NOT EXISTS ${CMAKE_SOURCE_DIR}/third_party/images/astronaut.png)
  list(APPEND FK_MODELS_MISSING astronaut.png)
endif()
if(FK_MODELS_MISSING)
  list(JOIN FK_MODELS_MISSING ", " fk_missing)
  message(STATUS "Fieldkit: not in third_party/ yet: ${fk_missing}; `make deps` fetches them "
                 "(the build goes on without them; the real-model features then say they are missing)")
endif()

set(FK_MODEL_OUTPUTS)
foreach(f ${FK_MODEL_FILES} ${FK_IMAGE_FILES} ${FK_REFERENCE_FILES})
  get_filename_component(name ${f} NAME)
  if(f MATCHES "\\.tflite$")
    set(out ${FIELDKIT_OUT_DIR}/models/${name})
  elseif(f MATCHES "\\.json$")
    set(out ${FIELDKIT_OUT_DIR}/models/reference/${name})
  else()
    set(out ${FIELDKIT_OUT_DIR}/images/${name})
  endif()
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E copy ${f} ${out}
    DEPENDS ${f}
    COMMENT "Copying ${name} beside the build output")
  list(APPEND FK_MODEL_OUTPUTS ${out})
endforeach()
add_custom_target(fieldkit_models ALL DEPENDS ${FK_MODEL_OUTPUTS})

# `make native` / `make web` name their targets, so the copy hangs off each of them.
foreach(t fieldkit fieldkit-cli fieldkit-tests)
  if(TARGET ${t})
    add_dependencies(${t} fieldkit_models)
  endif()
endforeach()
