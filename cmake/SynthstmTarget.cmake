# Warnings and sanitizers set per target, the same way for every synthstm target.
function(synthstm_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wno-unused-parameter)
  if(SYNTHSTM_SANITIZERS)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
endfunction()

# One library per pipeline stage: synthstm_<stage>, aliased synthstm::<stage>.
function(synthstm_stage stage)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(synthstm_${stage} STATIC ${ARG_SOURCES})
  add_library(synthstm::${stage} ALIAS synthstm_${stage})
  target_include_directories(synthstm_${stage} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>)
  target_link_libraries(synthstm_${stage} PUBLIC ${ARG_DEPS})
  synthstm_target_defaults(synthstm_${stage})
endfunction()
