# man_page.cmake: writes fetcher.1 from the built command's own help, with help2man, so the man
# page says what `--help` says. The top-level help becomes the page's synopsis and options; each
# command's help (read from the top-level list, so a new command is covered) becomes a subsection
# of COMMANDS.
#   cmake -DFETCHER=path/to/fetcher -DHELP2MAN=path/to/help2man -DOUTPUT=fetcher.1 -P man_page.cmake
foreach(required FETCHER HELP2MAN OUTPUT)
  if(NOT DEFINED ${required})
    message(FATAL_ERROR "man_page.cmake: -D${required}=... is required")
  endif()
endforeach()

# Run as plain `fetcher` from PATH, so the usage lines read "fetcher bench", not a build path.
get_filename_component(fetcher_directory "${FETCHER}" DIRECTORY)
get_filename_component(fetcher_name "${FETCHER}" NAME)
set(ENV{PATH} "${fetcher_directory}:$ENV{PATH}")

function(help_of output_variable)
  execute_process(COMMAND ${fetcher_name} ${ARGN} --help OUTPUT_VARIABLE help RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "man_page.cmake: `${fetcher_name} ${ARGN} --help` failed: ${status}")
  endif()
  set(${output_variable} "${help}" PARENT_SCOPE)
endfunction()

# The commands, from the "Subcommands:" block of the top-level help.
help_of(top_help)
string(REGEX MATCH "Subcommands:\n([^\n]+\n)+" commands_block "${top_help}")
string(REGEX MATCHALL "\n  [a-z][a-z0-9-]*" command_lines "${commands_block}")
set(include_text "[COMMANDS]\n")
foreach(command_line IN LISTS command_lines)
  string(STRIP "${command_line}" command)
  help_of(command_help ${command})
  # Kept as it is printed (no filling); roff's escape character and control lines are quoted.
  string(REPLACE "\\" "\\e" command_help "${command_help}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" command_help "${command_help}")
  string(APPEND include_text ".SS \"fetcher ${command}\"\n.nf\n${command_help}.fi\n")
endforeach()
if(command_lines STREQUAL "")
  message(FATAL_ERROR "man_page.cmake: no commands found in `${fetcher_name} --help`")
endif()

get_filename_component(output_directory "${OUTPUT}" DIRECTORY)
set(include_file "${output_directory}/fetcher-man-commands.h2m")
file(WRITE "${include_file}" "${include_text}")
execute_process(COMMAND "${HELP2MAN}" --no-info --section 1 --include "${include_file}"
                        --name "fetch URL lists concurrently and measure how concurrency changes the time taken"
                        --output "${OUTPUT}" ${fetcher_name}
                RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "man_page.cmake: help2man failed: ${status}")
endif()
