# The layering rule, checked on every build: each part of the tree includes only the parts
# below it. Run as `cmake -DROOT=<source dir> -DSTAMP=<file> -P check_layers.cmake`; on a
# violation it names the file, the line and the rule, and the build fails.
#
#   checker/           the engine: checker/ only (it knows no pages, files or reports)
#   protocol/          the kernel model: checker/, protocol/ (it parses nothing)
#   litmus/ (core)     the language: checker/, litmus/, but not the models' bindings, the
#                      runner or the scenario library (litmus/bindings/, runner.h, catalog.h)
#   litmus/bindings/,  the models made callable, and what runs them:
#   runner, catalog    checker/, litmus/, protocol/
#   traces/            counterexample files and the reader of kernel reports: checker/, traces/
#   traces/reproduce,  a report reproduced on the models through the scenario library and
#   scenario_builder   the scenarios built from its entry points: checker/, protocol/,
#                      litmus/, traces/
#   cli/               the command: every layer
set(allowed_checker "checker")
set(allowed_protocol "checker;protocol")
set(allowed_litmus_core "checker;litmus")
set(allowed_litmus_models "checker;litmus;protocol")
set(allowed_traces "checker;traces")
set(allowed_traces_reproduce "checker;protocol;litmus;traces")
set(allowed_cli "checker;protocol;litmus;traces;cli")

set(violations "")
foreach(part checker protocol litmus traces cli)
  file(GLOB_RECURSE files RELATIVE "${ROOT}" "${ROOT}/${part}/*.h" "${ROOT}/${part}/*.cc")
  foreach(f IN LISTS files)
    set(layer ${part})
    if(part STREQUAL "litmus")
      if(f MATCHES "^litmus/bindings/" OR f MATCHES "^litmus/(runner|catalog)\\.(h|cc)$")
        set(layer litmus_models)
      else()
        set(layer litmus_core)
      endif()
    endif()
    if(f MATCHES "^traces/(reproduce|scenario_builder)\\.(h|cc)$")
      set(layer traces_reproduce)
    endif()
    file(STRINGS "${ROOT}/${f}" lines)
    set(n 0)
    foreach(line IN LISTS lines)
      math(EXPR n "${n} + 1")
      if(NOT line MATCHES "^#include \"([a-z_]+)/([^\"]*)\"")
        continue()
      endif()
      set(top "${CMAKE_MATCH_1}")
      set(path "${CMAKE_MATCH_1}/${CMAKE_MATCH_2}")
      list(FIND allowed_${layer} "${top}" ok)
      if(ok EQUAL -1)
        string(APPEND violations "${f}:${n}: includes ${path}; ${layer} may include only: ${allowed_${layer}}\n")
      elseif(layer STREQUAL "litmus_core" AND path MATCHES "^litmus/(bindings/|runner\\.h|catalog\\.h)")
        string(APPEND violations "${f}:${n}: includes ${path}; the litmus language (mc_litmus_core) does not know the models' bindings, the runner or the scenario library\n")
      endif()
    endforeach()
  endforeach()
endforeach()

if(violations)
  message(FATAL_ERROR "layering rule broken (see cmake/check_layers.cmake):\n${violations}")
endif()
if(STAMP)
  file(TOUCH "${STAMP}")
endif()
