# Install rules of the CMake package `cosim` (cmake/cosimConfig.cmake.in):
# the export set cosimTargets (filled by install(TARGETS ... EXPORT
# cosimTargets) where the targets are defined), its config and version files,
# and the plug-in helper.
include(CMakePackageConfigHelpers)
set(COSIM_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cosim)
# Where cosim-host looks for plug-ins by name (tlm_models/plugin).
set(COSIM_PLUGIN_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cosim/plugins)
install(EXPORT cosimTargets NAMESPACE cosim:: DESTINATION ${COSIM_CMAKE_INSTALL_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/cosimConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cosimConfig.cmake
  INSTALL_DESTINATION ${COSIM_CMAKE_INSTALL_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cosimConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cosimConfig.cmake
  ${PROJECT_BINARY_DIR}/cosimConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/CosimPlugin.cmake
  DESTINATION ${COSIM_CMAKE_INSTALL_DIR})
