# write_if_changed(FILE TEXT): writes FILE only when its text changes, so that an unchanged
# generated source does not rebuild. Included by the generators run with cmake -P.
function(write_if_changed file text)
  if(EXISTS "${file}")
    file(READ "${file}" old)
    if(old STREQUAL text)
      return()
    endif()
  endif()
  file(WRITE "${file}" "${text}")
endfunction()
