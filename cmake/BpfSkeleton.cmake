# SPDX-License-Identifier: Apache-2.0
# Compiles bpf/*.bpf.c with clang -target bpf against a vmlinux.h made from the running
# kernel's BTF (or -DSYSCOPE_VMLINUX_H=<file>) and turns each unit into a libbpf skeleton.
find_program(BPF_CLANG NAMES clang clang-16 clang-15 clang-14)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /usr/local/sbin)
if(NOT BPF_CLANG)
  message(FATAL_ERROR "syscope: clang not found (apt-get install clang), needed for bpf/")
endif()
if(NOT BPFTOOL)
  message(FATAL_ERROR "syscope: bpftool not found (apt-get install bpftool)")
endif()

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(BPF_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(BPF_ARCH arm64)
else()
  message(FATAL_ERROR "syscope: unsupported architecture ${CMAKE_SYSTEM_PROCESSOR}")
endif()

set(VMLINUX_DIR "${CMAKE_BINARY_DIR}/vmlinux")
file(MAKE_DIRECTORY "${VMLINUX_DIR}")
set(SYSCOPE_VMLINUX_H "" CACHE FILEPATH "A vmlinux.h to use instead of the running kernel's BTF")
if(SYSCOPE_VMLINUX_H)
  configure_file("${SYSCOPE_VMLINUX_H}" "${VMLINUX_DIR}/vmlinux.h" COPYONLY)
else()
  if(NOT EXISTS /sys/kernel/btf/vmlinux)
    message(FATAL_ERROR "syscope: /sys/kernel/btf/vmlinux is missing: this kernel has no BTF "
                        "(CONFIG_DEBUG_INFO_BTF); pass -DSYSCOPE_VMLINUX_H=<file> to build anyway")
  endif()
  add_custom_command(OUTPUT ${VMLINUX_DIR}/vmlinux.h WORKING_DIRECTORY ${VMLINUX_DIR} VERBATIM
    COMMAND sh -c "${BPFTOOL} btf dump file /sys/kernel/btf/vmlinux format c >vmlinux.tmp && mv vmlinux.tmp vmlinux.h")
endif()

file(GLOB SYSCOPE_BPF_HEADERS ${PROJECT_SOURCE_DIR}/bpf/*.bpf.h ${PROJECT_SOURCE_DIR}/bpf/include/syscope/abi.h)

# -Wno-unused-parameter: libbpf's BPF_PROG() declares ctx and every tracepoint argument.
# syscope_bpf_skeleton(<name> <src.bpf.c>...) -> INTERFACE target <name>_skel, header <name>.skel.h
function(syscope_bpf_skeleton name)
  set(objs "")
  foreach(src IN LISTS ARGN)
    get_filename_component(stem "${src}" NAME_WE)
    set(obj "${CMAKE_CURRENT_BINARY_DIR}/${stem}.tmp.o")
    add_custom_command(OUTPUT "${obj}" VERBATIM
      COMMAND ${BPF_CLANG} -g -O2 -Wall -Wextra -Wno-unused-parameter -Werror -target bpf -D__TARGET_ARCH_${BPF_ARCH}
              -I${VMLINUX_DIR} -I${PROJECT_SOURCE_DIR}/bpf/include -I${PROJECT_SOURCE_DIR}/bpf
              -c ${CMAKE_CURRENT_SOURCE_DIR}/${src} -o ${obj}
      DEPENDS ${src} ${VMLINUX_DIR}/vmlinux.h ${SYSCOPE_BPF_HEADERS})
    list(APPEND objs "${obj}")
  endforeach()
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}")
  add_custom_command(OUTPUT ${out}.bpf.o DEPENDS ${objs} VERBATIM
    COMMAND ${BPFTOOL} gen object ${out}.bpf.o ${objs})
  add_custom_command(OUTPUT ${out}.skel.h DEPENDS ${out}.bpf.o VERBATIM
    COMMAND sh -c "${BPFTOOL} gen skeleton ${out}.bpf.o name ${name}_bpf >${out}.tmp && mv ${out}.tmp ${out}.skel.h")
  add_custom_target(${name}_skel_gen DEPENDS ${out}.skel.h)
  add_library(${name}_skel INTERFACE)
  add_dependencies(${name}_skel ${name}_skel_gen)
  target_include_directories(${name}_skel INTERFACE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
endfunction()
