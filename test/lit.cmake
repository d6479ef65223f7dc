# test/lit.cmake - the lit + FileCheck suite; include()d from
# test/CMakeLists.txt.
#
# Writes ${CMAKE_BINARY_DIR}/test/lit.site.cfg.py (this build's paths), adds
# the ctest test `lit` (fails when any lit test fails) and the target
# `check-kiln-lit`, which builds the tools first and then runs lit.

set(KILN_LIT_LLVM_TOOLS_DIR /usr/lib/llvm-22/bin CACHE PATH
    "Folder holding lit, FileCheck, not and count")
set(KILN_LIT_PYTHON /usr/bin/python3 CACHE FILEPATH
    "Python with onnx and numpy, used to generate test models")
set(KILN_LIT ${KILN_LIT_LLVM_TOOLS_DIR}/lit)

configure_file(${CMAKE_CURRENT_SOURCE_DIR}/lit.site.cfg.py.in
               ${CMAKE_BINARY_DIR}/test/lit.site.cfg.py @ONLY)

# lit exits non-zero when a test fails or passes unexpectedly (XPASS).
add_test(NAME lit COMMAND ${KILN_LIT} -v ${CMAKE_BINARY_DIR}/test)

add_custom_target(check-kiln-lit
  COMMAND ${KILN_LIT} -v ${CMAKE_BINARY_DIR}/test
  DEPENDS kiln kiln-opt
  USES_TERMINAL
  COMMENT "Running Kiln's lit tests")
