cmake_minimum_required(VERSION 3.25)
# Renders one man page: cmake -DSOURCE=x.1.md -DOUTPUT=x.1.gz -DVERSION=.. -DGO_MD2MAN=..
#   [-DSUBMIT_OPTIONS=file] -DWORK_DIR=dir -P render_man.cmake
# @VERSION@ becomes the version and a line @SUBMIT_OPTIONS@ the option entries generated from
# the option table; go-md2man turns the Markdown into roff, gzip -n keeps the output reproducible.
file(READ ${SOURCE} text)
string(REPLACE "@VERSION@" "${VERSION}" text "${text}")
if(text MATCHES "@SUBMIT_OPTIONS@")
  file(READ ${SUBMIT_OPTIONS} options)
  string(REPLACE "@SUBMIT_OPTIONS@\n" "${options}" text "${text}")
endif()
get_filename_component(name ${SOURCE} NAME_WLE)
file(WRITE ${WORK_DIR}/${name}.md "${text}")
execute_process(COMMAND ${GO_MD2MAN} -in ${WORK_DIR}/${name}.md -out ${WORK_DIR}/${name}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "go-md2man failed on ${SOURCE}")
endif()
execute_process(COMMAND gzip -9 -n -f -k ${WORK_DIR}/${name} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${WORK_DIR}/${name}")
endif()
