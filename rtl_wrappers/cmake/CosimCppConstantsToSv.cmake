# Turns the uint32_t constants of a C++ header into a SystemVerilog package, so
# RTL and C++ share one declaration (style: "Declare each register and bit
# field once"). Runs at configure time: verilate() runs Verilator while
# configuring, so the package must exist then. The header is a configure
# dependency: editing it regenerates the package and re-verilates.
#
# Picked up: every `enum Name : uint32_t { kA = <expr>, ... };` and every
# `inline constexpr uint32_t kName = <expr>;`. An <expr> may use decimal or
# 0x-hex literals with u/U/l/L suffixes, + - * / << >> | & and parentheses,
# and names declared earlier. Anything else is left out of the package.
#
# cosim_cpp_constants_to_sv(HEADER <h> PACKAGE <name> OUTPUT <file.sv>)
function(cosim_cpp_constants_to_sv)
  cmake_parse_arguments(ARG "" "HEADER;PACKAGE;OUTPUT" "" ${ARGN})
  file(READ "${ARG_HEADER}" text)
  string(REGEX REPLACE "//[^\n]*" "" text "${text}")
  string(REPLACE ";" "@SEMI@" text "${text}")

  set(items "")
  # Enums with a uint32_t base. [^}] keeps each match inside one enum.
  string(REGEX MATCHALL "enum[ \t\n]+[A-Za-z_][A-Za-z0-9_]*[ \t\n]*:[ \t\n]*uint32_t[ \t\n]*{[^}]*}" enums "${text}")
  foreach(enum IN LISTS enums)
    string(REGEX REPLACE "^[^{]*{([^}]*)}$" "\\1" body "${enum}")
    string(REPLACE "," ";" entries "${body}")
    foreach(entry IN LISTS entries)
      string(STRIP "${entry}" entry)
      if(entry MATCHES "^(k[A-Za-z0-9_]*)[ \t\n]*=[ \t\n]*(.+)$")
        list(APPEND items "${CMAKE_MATCH_1}=${CMAKE_MATCH_2}")
      endif()
    endforeach()
  endforeach()
  string(REGEX MATCHALL "inline[ \t\n]+constexpr[ \t\n]+uint32_t[ \t\n]+k[A-Za-z0-9_]*[ \t\n]*=[^@]*@SEMI@" consts "${text}")
  foreach(c IN LISTS consts)
    if(c MATCHES "uint32_t[ \t\n]+(k[A-Za-z0-9_]*)[ \t\n]*=[ \t\n]*(.*)@SEMI@$")
      list(APPEND items "${CMAKE_MATCH_1}=${CMAKE_MATCH_2}")
    endif()
  endforeach()
  if(NOT items)
    message(FATAL_ERROR "cosim_cpp_constants_to_sv: no uint32_t constants found in ${ARG_HEADER}")
  endif()

  file(RELATIVE_PATH rel "${PROJECT_SOURCE_DIR}" "${ARG_HEADER}")
  set(out "// Generated from ${rel} by rtl_wrappers/cmake/CosimCppConstantsToSv.cmake.\n")
  string(APPEND out "// Do not edit: change the C++ header, the build regenerates this package.\n")
  # A shared table: a given RTL uses only some of it.
  string(APPEND out "/* verilator lint_off UNUSEDPARAM */\n")
  string(APPEND out "package ${ARG_PACKAGE};\n")
  foreach(item IN LISTS items)
    string(REGEX MATCH "^([^=]+)=(.*)$" _ "${item}")
    set(name "${CMAKE_MATCH_1}")
    string(STRIP "${CMAKE_MATCH_2}" expr)
    string(REGEX REPLACE "[ \t\n]+" " " expr "${expr}")
    if(NOT expr MATCHES "^[0-9A-Za-z_ xX+*/()<>|&-]+$")
      message(FATAL_ERROR "cosim_cpp_constants_to_sv: ${name} = '${expr}' in ${ARG_HEADER} is not a plain constant expression")
    endif()
    string(REGEX REPLACE "0[xX]([0-9A-Fa-f]+)[uUlL]*" "'h\\1" expr "${expr}")
    string(REGEX REPLACE "([0-9])[uUlL]+" "\\1" expr "${expr}")
    string(APPEND out "  localparam int unsigned ${name} = ${expr};\n")
  endforeach()
  string(APPEND out "endpackage\n")
  string(APPEND out "/* verilator lint_on UNUSEDPARAM */\n")

  # Rewrite only on change, so an unrelated reconfigure does not re-verilate.
  file(WRITE "${ARG_OUTPUT}.tmp" "${out}")
  configure_file("${ARG_OUTPUT}.tmp" "${ARG_OUTPUT}" COPYONLY)
  file(REMOVE "${ARG_OUTPUT}.tmp")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${ARG_HEADER}")
endfunction()
