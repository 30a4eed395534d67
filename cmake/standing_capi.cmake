# The C ABI (libstanding.so.1), its tests, the Python binding's generated
# code, the export and ABI checks, and install/packaging rules.
# Included at the end of the top-level CMakeLists.txt; expects the targets
# standing_core (static, PIC) and, when tests are on, enable_testing().
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

get_filename_component(STANDING_ROOT "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

# The ABI version; raise it together with SOVERSION and the baseline in abi/
# on an incompatible change (docs/c-abi.md).
set(STANDING_ABI_VERSION 1)
set(STANDING_CAPI_SOURCES
  ${STANDING_ROOT}/src/capi/standing_c.cc
  ${STANDING_ROOT}/src/capi/service_c.cc
  ${STANDING_ROOT}/src/capi/credit_c.cc
  ${STANDING_ROOT}/src/capi/customer_view_c.cc
  ${STANDING_ROOT}/src/capi/wire.cc)
set(STANDING_VERSION_SCRIPT ${STANDING_ROOT}/src/capi/libstanding.map)

# --- libstanding.so --------------------------------------------------------
add_library(standing SHARED ${STANDING_CAPI_SOURCES})
add_library(standing::standing ALIAS standing)
set_target_properties(standing PROPERTIES
  OUTPUT_NAME standing
  VERSION ${STANDING_ABI_VERSION}.0.0
  SOVERSION ${STANDING_ABI_VERSION}
  EXPORT_NAME standing
  C_VISIBILITY_PRESET hidden
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON
  LINK_DEPENDS ${STANDING_VERSION_SCRIPT})
target_compile_definitions(standing PRIVATE
  STANDING_BUILDING_LIBRARY
  STANDING_VERSION_STRING="${PROJECT_VERSION}")
# -g in every build type: scripts/check-abi reads the exported interface
# from DWARF (only the C ABI's translation units; the core is unaffected).
target_compile_options(standing PRIVATE ${STANDING_WARNINGS} -g)
target_include_directories(standing
  PUBLIC
    $<BUILD_INTERFACE:${STANDING_ROOT}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
  PRIVATE ${STANDING_ROOT}/src)
target_link_libraries(standing PRIVATE standing_core)
target_link_options(standing PRIVATE
  "LINKER:--version-script=${STANDING_VERSION_SCRIPT}"
  "LINKER:--exclude-libs,ALL"
  "LINKER:--no-undefined"
  "LINKER:-z,relro,-z,now")

# --- tests -----------------------------------------------------------------
if(STANDING_BUILD_TESTS)
  # The C test is strict C99: it also proves the header is.
  add_executable(standing_capi_c_test ${STANDING_ROOT}/tests/c/capi_test.c)
  set_target_properties(standing_capi_c_test PROPERTIES
    C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_options(standing_capi_c_test PRIVATE
    -pedantic ${STANDING_WARNINGS})
  target_link_libraries(standing_capi_c_test PRIVATE standing)
  add_test(NAME capi_c_test
           COMMAND standing_capi_c_test ${STANDING_ROOT}/tests/c
                   ${CMAKE_CURRENT_BINARY_DIR})

  add_test(NAME capi_exports
           COMMAND ${STANDING_ROOT}/scripts/check-exports
                   $<TARGET_FILE:standing>)
endif()

# The C ABI benchmark compiles the C ABI sources into the benchmark itself
# (one process must not hold two copies of the standing.v1 descriptors,
# which linking standing_core and libstanding.so together would give).
# credit_bench does the same for its C ABI variant of the invoice and
# payment stream.
foreach(bench capi_bench credit_bench)
  if(TARGET ${bench})
    target_sources(${bench} PRIVATE ${STANDING_CAPI_SOURCES})
    target_compile_definitions(${bench} PRIVATE
      STANDING_VERSION_STRING="${PROJECT_VERSION}")
  endif()
endforeach()

# tests/wire_test.cc tests the C ABI's batch parser, compiled in.
if(TARGET wire_test)
  target_sources(wire_test PRIVATE ${STANDING_ROOT}/src/capi/wire.cc)
endif()

# --- Python binding ----------------------------------------------------------
# Generates the standing.v1 protobuf modules into the (git-ignored)
# bindings/python/standing/_generated/ and puts libstanding.so.1 next to the
# package, so `PYTHONPATH=bindings/python` works from the source tree.
option(STANDING_BUILD_PYTHON "Generate the Python binding's protobuf code" ON)
if(STANDING_BUILD_PYTHON)
  set(STANDING_PY_DIR ${STANDING_ROOT}/bindings/python)
  set(STANDING_PY_GEN ${STANDING_PY_DIR}/standing/_generated)
  set(STANDING_PY_OUTPUTS)
  set(STANDING_PY_PROTOS)
  foreach(p ${STANDING_PROTOS})
    get_filename_component(stem ${p} NAME_WE)
    list(APPEND STANDING_PY_PROTOS ${STANDING_ROOT}/${p})
    list(APPEND STANDING_PY_OUTPUTS ${STANDING_PY_GEN}/standing/v1/${stem}_pb2.py)
  endforeach()
  add_custom_command(
    OUTPUT ${STANDING_PY_OUTPUTS}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${STANDING_PY_GEN}
    COMMAND protobuf::protoc --python_out=${STANDING_PY_GEN}
            -I${STANDING_ROOT}/proto ${STANDING_PY_PROTOS}
    DEPENDS ${STANDING_PY_PROTOS} protobuf::protoc
    WORKING_DIRECTORY ${STANDING_ROOT}
    COMMENT "protoc --python_out bindings/python/standing/_generated")
  add_custom_target(standing_python ALL
    DEPENDS ${STANDING_PY_OUTPUTS} standing
    COMMAND ${CMAKE_COMMAND} -E copy $<TARGET_FILE:standing>
            ${STANDING_PY_DIR}/standing/libstanding.so.${STANDING_ABI_VERSION}
    COMMENT "Python binding: libstanding next to the package")

  find_program(STANDING_PYTHON NAMES python3
               HINTS /usr/bin NO_DEFAULT_PATH)
  if(NOT STANDING_PYTHON)
    find_program(STANDING_PYTHON NAMES python3)
  endif()
  if(STANDING_BUILD_TESTS AND STANDING_PYTHON)
    execute_process(
      COMMAND ${STANDING_PYTHON} -c "import pytest, google.protobuf"
      RESULT_VARIABLE _standing_py_ok OUTPUT_QUIET ERROR_QUIET)
    if(_standing_py_ok EQUAL 0)
      add_test(NAME python_binding
               COMMAND ${STANDING_PYTHON} -m pytest -q -p no:cacheprovider
                       ${STANDING_PY_DIR}/tests
               WORKING_DIRECTORY ${STANDING_ROOT})
      set_tests_properties(python_binding PROPERTIES ENVIRONMENT
        "STANDING_LIBRARY=$<TARGET_FILE:standing>;PYTHONPATH=${STANDING_PY_DIR};PYTHONDONTWRITEBYTECODE=1")
    else()
      message(STATUS "Python binding tests off: ${STANDING_PYTHON} lacks pytest or protobuf")
    endif()
  endif()
endif()

# --- install and packaging ---------------------------------------------------
install(TARGETS standing EXPORT standingTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${STANDING_ROOT}/include/standing/standing.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/standing)
# The schema, for hosts that generate their own message classes.
install(DIRECTORY ${STANDING_ROOT}/proto/standing
  DESTINATION ${CMAKE_INSTALL_DATADIR}/standing/proto
  FILES_MATCHING PATTERN "*.proto")
install(EXPORT standingTargets
  NAMESPACE standing::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/standing)
configure_package_config_file(
  ${STANDING_ROOT}/cmake/standingConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/standingConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/standing
  PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/standingConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
# standing.pc is relocatable: its prefix is found from its own location, so
# `cmake --install --prefix <dir>` works without reconfiguring.
file(RELATIVE_PATH STANDING_PC_TO_PREFIX
  "${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "${CMAKE_INSTALL_PREFIX}")
string(REGEX REPLACE "/$" "" STANDING_PC_TO_PREFIX "${STANDING_PC_TO_PREFIX}")
configure_file(${STANDING_ROOT}/cmake/standing.pc.in
  ${CMAKE_CURRENT_BINARY_DIR}/standing.pc @ONLY)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/standingConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/standingConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/standing)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/standing.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
