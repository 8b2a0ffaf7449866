# The layering check fails on a file that includes a layer above its own, naming the file, the
# line and the rule; it passes on a tree that keeps the rule. Run by ctest with
# -DCHECK=<cmake/check_layers.cmake> -DWORK=<scratch directory>.
file(REMOVE_RECURSE "${WORK}")
foreach(part checker protocol litmus traces cli)
  file(MAKE_DIRECTORY "${WORK}/${part}")
endforeach()
file(WRITE "${WORK}/protocol/page.h" "#pragma once\n#include \"checker/mc.h\"\n")
file(WRITE "${WORK}/litmus/binder.cc" "#include \"litmus/ast.h\"\n#include \"checker/mc.h\"\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -DROOT=${WORK} -P "${CHECK}" RESULT_VARIABLE rc
                ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "a tree that keeps the rule was rejected:\n${err}")
endif()
file(WRITE "${WORK}/checker/op.h" "#pragma once\n\n#include \"protocol/page.h\"\n")
file(WRITE "${WORK}/litmus/binder.cc" "#include \"litmus/ast.h\"\n#include \"litmus/runner.h\"\n")
execute_process(COMMAND "${CMAKE_COMMAND}" -DROOT=${WORK} -P "${CHECK}" RESULT_VARIABLE rc
                ERROR_VARIABLE err)
string(REGEX REPLACE "[ \n]+" " " err "${err}")
if(rc EQUAL 0)
  message(FATAL_ERROR "the check passed a tree that breaks the rule")
endif()
foreach(want "checker/op.h:3: includes protocol/page.h" "litmus/binder.cc:2: includes litmus/runner.h")
  string(FIND "${err}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the check did not say '${want}':\n${err}")
  endif()
endforeach()
