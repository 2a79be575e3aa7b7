cmake_minimum_required(VERSION 3.25)
# cmake -DTEMPLATE=k8sjobs.bash.in -DOUTPUT=k8sjobs -DDOCGEN=k8sjobs-docgen -P render_completion.cmake
execute_process(COMMAND ${DOCGEN} submit-option-words OUTPUT_VARIABLE SUBMIT_OPTION_WORDS
  OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
execute_process(COMMAND ${DOCGEN} submit-option-arguments OUTPUT_VARIABLE SUBMIT_OPTION_ARGUMENTS
  OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
configure_file(${TEMPLATE} ${OUTPUT} @ONLY)
