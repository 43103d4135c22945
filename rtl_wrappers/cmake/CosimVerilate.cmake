# Verilator in the build: RTL -> SystemC C++ in the build tree -> a static
# library. Every model is verilated for SystemC with FST tracing compiled in
# (tracing is switched on at run time, see rtl_wrappers/waves), so all models
# and the code that includes their headers agree on the VM_* switches.
#
#   cosim_verilator_runtime (target)
#     The Verilator runtime (verilated.cpp, FST tracing with GTKWave's fstapi,
#     threads), compiled once for the whole build with the same switches.
#   cosim_verilated_library(<lib>)
#     An empty static library for Verilated models; link it like any other.
#   cosim_verilate(<lib> TOP <module> SOURCES <files...>
#                  [PREFIX <class>] [ARGS <verilator options...>])
#     Verilates <module> into class <PREFIX> (default V<module>) inside <lib>.
#     Several models may share one library (they share the Verilator runtime);
#     ARGS carries e.g. -G<param>=<value> overrides or include paths (-I<dir>).
#   cosim_add_rtl_lint(<name> TOP <module> SOURCES <files...> [ARGS ...])
#     A ctest test running `verilator --lint-only -Wall` on the sources.
include_guard(GLOBAL)

find_package(verilator REQUIRED HINTS $ENV{VERILATOR_ROOT} /usr/share/verilator)
find_program(COSIM_VERILATOR verilator HINTS ${VERILATOR_ROOT}/bin REQUIRED)

if(NOT TARGET cosim_systemc)
  include(${PROJECT_SOURCE_DIR}/cmake/CosimSystemC.cmake)
  cosim_systemc_target(cosim_systemc)
endif()

# The switches every Verilated model here is built with: SystemC, FST tracing.
set(COSIM_VM_DEFINITIONS VM_SC=1 VM_TRACE=1 VM_TRACE_FST=1 VM_TRACE_VCD=0 VM_COVERAGE=0)
set(COSIM_VERILATOR_RUNTIME_SOURCES
  ${VERILATOR_ROOT}/include/verilated.cpp
  ${VERILATOR_ROOT}/include/verilated_fst_c.cpp
  ${VERILATOR_ROOT}/include/verilated_threads.cpp)

if(NOT TARGET cosim_verilator_runtime)
  find_package(ZLIB REQUIRED)
  find_package(Threads REQUIRED)
  add_library(cosim_verilator_runtime STATIC ${COSIM_VERILATOR_RUNTIME_SOURCES})
  target_include_directories(cosim_verilator_runtime SYSTEM PUBLIC
    ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
  target_compile_definitions(cosim_verilator_runtime PUBLIC ${COSIM_VM_DEFINITIONS})
  target_compile_options(cosim_verilator_runtime PRIVATE -w)
  target_link_libraries(cosim_verilator_runtime PUBLIC cosim_systemc ZLIB::ZLIB Threads::Threads)
endif()

function(cosim_verilated_library lib)
  add_library(${lib} STATIC)
  target_link_libraries(${lib} PUBLIC cosim_verilator_runtime)
  # Generated code is not ours to warn about.
  target_compile_options(${lib} PRIVATE -w)
endfunction()

function(cosim_verilate lib)
  cmake_parse_arguments(ARG "" "TOP;PREFIX" "SOURCES;ARGS" ${ARGN})
  if(NOT ARG_TOP OR NOT ARG_SOURCES)
    message(FATAL_ERROR "cosim_verilate(${lib}): TOP and SOURCES are required")
  endif()
  if(NOT ARG_PREFIX)
    set(ARG_PREFIX V${ARG_TOP})
  endif()
  verilate(${lib} SYSTEMC TRACE_FST
    PREFIX ${ARG_PREFIX}
    TOP_MODULE ${ARG_TOP}
    SOURCES ${ARG_SOURCES}
    VERILATOR_ARGS ${ARG_ARGS})
  # The runtime comes from cosim_verilator_runtime, once for all models.
  get_target_property(srcs ${lib} SOURCES)
  list(REMOVE_ITEM srcs ${COSIM_VERILATOR_RUNTIME_SOURCES})
  set_property(TARGET ${lib} PROPERTY SOURCES ${srcs})
  # The generated headers are system headers for users.
  get_target_property(dirs ${lib} INTERFACE_INCLUDE_DIRECTORIES)
  set_property(TARGET ${lib} PROPERTY INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${dirs}")
endfunction()

function(cosim_add_rtl_lint name)
  cmake_parse_arguments(ARG "" "TOP" "SOURCES;ARGS" ${ARGN})
  add_test(NAME ${name}
    COMMAND ${COSIM_VERILATOR} --lint-only -Wall --top-module ${ARG_TOP} ${ARG_ARGS} ${ARG_SOURCES})
  set_tests_properties(${name} PROPERTIES LABELS "unit;lint" TIMEOUT 120)
endfunction()
