# ctest fixture of examples/: installs this cosim build into a scratch prefix
# and builds an example plug-in against it out of tree, exactly as a user
# would, then installs the plug-in into the same prefix.
#   cmake -DCOSIM_BUILD_DIR=.. -DPREFIX=.. -DEXAMPLE_SOURCE_DIR=.. -DEXAMPLE_BUILD_DIR=..
#         -DGENERATOR=.. -DCXX=.. -DCC=.. -P build_example.cmake
foreach(var COSIM_BUILD_DIR PREFIX EXAMPLE_SOURCE_DIR EXAMPLE_BUILD_DIR GENERATOR CXX CC)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "build_example.cmake: -D${var}=... is required")
  endif()
endforeach()

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${cmd}\n${out}")
  endif()
endfunction()

file(REMOVE_RECURSE ${PREFIX} ${EXAMPLE_BUILD_DIR})
run(${CMAKE_COMMAND} --install ${COSIM_BUILD_DIR} --prefix ${PREFIX})
run(${CMAKE_COMMAND} -S ${EXAMPLE_SOURCE_DIR} -B ${EXAMPLE_BUILD_DIR} -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_C_COMPILER=${CC}
    -DCMAKE_PREFIX_PATH=${PREFIX} -DCMAKE_INSTALL_PREFIX=${PREFIX})
run(${CMAKE_COMMAND} --build ${EXAMPLE_BUILD_DIR} --parallel 2)
run(${CMAKE_COMMAND} --install ${EXAMPLE_BUILD_DIR})
message(STATUS "example built against ${PREFIX} in ${EXAMPLE_BUILD_DIR}")
