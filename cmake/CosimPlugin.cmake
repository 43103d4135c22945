# cosim_add_plugin(<name> [TLM] SOURCES <files...> [LIBS <targets...>] [NO_INSTALL])
#
# Builds a device plug-in, libcosim-<name>.so, that cosim-host loads with
# `--model plugin:<name>` (found in <prefix>/lib/cosim/plugins or on
# $COSIM_PLUGIN_PATH) or `--model plugin:/path/to/libcosim-<name>.so`.
# TLM: the plug-in has SystemC/TLM models (links cosim::tlm_model).
# The plug-in links cosim::device statically and exports only its two entry
# points (COSIM_PLUGIN in cosim/plugin.h); it is installed into
# ${COSIM_PLUGIN_INSTALL_DIR} unless NO_INSTALL. Used by the build and by the
# installed package alike (docs/adding-a-device.md).
include_guard(GLOBAL)
include(GNUInstallDirs)
if(NOT DEFINED COSIM_PLUGIN_INSTALL_DIR)
  set(COSIM_PLUGIN_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cosim/plugins)
endif()

function(cosim_add_plugin name)
  cmake_parse_arguments(ARG "TLM;NO_INSTALL" "" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "cosim_add_plugin(${name}): no SOURCES given")
  endif()
  add_library(${name} MODULE ${ARG_SOURCES})
  set_target_properties(${name} PROPERTIES
    PREFIX "lib"
    OUTPUT_NAME "cosim-${name}"
    CXX_STANDARD 20
    CXX_STANDARD_REQUIRED ON
    CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_link_libraries(${name} PRIVATE cosim::device ${ARG_LIBS})
  if(ARG_TLM)
    target_link_libraries(${name} PRIVATE cosim::tlm_model)
  endif()
  # Every symbol resolved at build time, not at load; the static libraries'
  # symbols stay inside the plug-in.
  target_link_options(${name} PRIVATE -Wl,-z,defs -Wl,--exclude-libs,ALL)
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${name} LIBRARY DESTINATION ${COSIM_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
