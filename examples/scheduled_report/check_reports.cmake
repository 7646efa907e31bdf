# ctest: runs scheduled_report --simulate-days DAYS on a fresh SQLite store and checks that it
# wrote one report per simulated day, 2024-03-01 onwards.
# cmake -DPROGRAM=<scheduled_report> -DWORK_DIR=<dir> -DDAYS=<n> -P check_reports.cmake
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(
  COMMAND ${PROGRAM} --simulate-days ${DAYS} --store sqlite:${WORK_DIR}/scheduled_report.db
          --reports-dir ${WORK_DIR}/reports
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "scheduled_report exited with ${result}")
endif()
file(GLOB reports RELATIVE ${WORK_DIR}/reports ${WORK_DIR}/reports/*)
list(SORT reports)
set(expected)
foreach(day RANGE 1 ${DAYS})
  if(day LESS 10)
    set(day "0${day}")
  endif()
  list(APPEND expected "report-2024-03-${day}.txt")
endforeach()
if(NOT reports STREQUAL expected)
  message(FATAL_ERROR "expected reports '${expected}', found '${reports}'")
endif()
message(STATUS "${DAYS} reports written: ${reports}")
