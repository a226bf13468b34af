# llhttp (Node.js's HTTP/1.1 parser) is not packaged as a library in Debian 12, but node-llhttp ships its
# C sources. We compile those system files (never a copy in this tree) into a small static library.
set(LLHTTP_SOURCE_DIR "/usr/share/llhttp" CACHE PATH "Directory holding llhttp's api.c, http.c, llhttp.c")
set(LLHTTP_INCLUDE_DIR "/usr/share/include/llhttp" CACHE PATH "Directory holding llhttp.h")
foreach(f api.c http.c llhttp.c)
    if(NOT EXISTS "${LLHTTP_SOURCE_DIR}/${f}")
        message(FATAL_ERROR "llhttp source ${LLHTTP_SOURCE_DIR}/${f} not found: apt-get install node-llhttp")
    endif()
endforeach()
add_library(llhttp STATIC "${LLHTTP_SOURCE_DIR}/api.c" "${LLHTTP_SOURCE_DIR}/http.c" "${LLHTTP_SOURCE_DIR}/llhttp.c")
target_include_directories(llhttp SYSTEM PUBLIC "${LLHTTP_INCLUDE_DIR}")
set_target_properties(llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
target_compile_options(llhttp PRIVATE -w)
