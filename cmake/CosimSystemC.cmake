# Finds the SystemC library (pkg-config `systemc`) and provides
# cosim_systemc_target(<name>): an INTERFACE target that links it with the
# right SC_CPLUSPLUS. Used by the build (`cosim_systemc`) and by the installed
# package (`cosim::systemc`), so a plug-in compiles exactly as the host does.
#
# SystemC's headers embed the C++ standard they were compiled for in a link-time
# API check (sc_api_version_<ver>_cxx<std>); a C++20 program linking a library
# built as C++17 fails with an undefined sc_api_version_..._cxx202002L. The
# header honours SC_CPLUSPLUS, so we probe which value the installed library
# was built with and compile every SystemC user with it.
include_guard(GLOBAL)
include(CheckCXXSourceCompiles)
include(CMakePushCheckState)

find_package(PkgConfig REQUIRED)
pkg_check_modules(COSIM_SYSTEMC REQUIRED IMPORTED_TARGET GLOBAL systemc>=2.3.3)

if(NOT DEFINED COSIM_SYSTEMC_CPLUSPLUS)
  set(_cosim_sc_found "")
  foreach(_std 202002L 201703L 201402L 201103L)
    cmake_push_check_state(RESET)
    set(CMAKE_REQUIRED_QUIET ON)
    set(CMAKE_REQUIRED_DEFINITIONS -DSC_CPLUSPLUS=${_std})
    set(CMAKE_REQUIRED_INCLUDES ${COSIM_SYSTEMC_INCLUDE_DIRS})
    set(CMAKE_REQUIRED_LINK_OPTIONS ${COSIM_SYSTEMC_LDFLAGS})
    set(CMAKE_REQUIRED_LIBRARIES ${COSIM_SYSTEMC_LINK_LIBRARIES})
    # A main() of our own, as every cosim program has; sc_main only satisfies
    # libsystemc's reference to it.
    check_cxx_source_compiles("
      #include <systemc>
      int sc_main(int, char**) { return 0; }
      int main() { return sc_core::sc_time_stamp() == sc_core::SC_ZERO_TIME ? 0 : 1; }"
      _cosim_sc_std_${_std})
    cmake_pop_check_state()
    if(_cosim_sc_std_${_std})
      set(_cosim_sc_found ${_std})
      break()
    endif()
  endforeach()
  if(NOT _cosim_sc_found)
    message(FATAL_ERROR "SystemC ${COSIM_SYSTEMC_VERSION} found by pkg-config, but no SC_CPLUSPLUS value "
                        "(C++11..C++20) links against it with ${CMAKE_CXX_COMPILER}")
  endif()
  set(COSIM_SYSTEMC_CPLUSPLUS ${_cosim_sc_found} CACHE STRING
      "C++ standard (SC_CPLUSPLUS) the installed SystemC library was built with")
  message(STATUS "SystemC ${COSIM_SYSTEMC_VERSION}: built for SC_CPLUSPLUS=${COSIM_SYSTEMC_CPLUSPLUS}")
endif()

function(cosim_systemc_target name)
  add_library(${name} INTERFACE ${ARGN})
  target_link_libraries(${name} INTERFACE PkgConfig::COSIM_SYSTEMC)
  target_compile_definitions(${name} INTERFACE SC_CPLUSPLUS=${COSIM_SYSTEMC_CPLUSPLUS})
endfunction()
