# One INTERFACE target carries the language standard, warnings and Qt defines for all of our code.
add_library(gemgate_common INTERFACE)
target_compile_features(gemgate_common INTERFACE cxx_std_20)
target_compile_options(gemgate_common INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                -Wold-style-cast -Wcast-align -Woverloaded-virtual)
target_compile_definitions(gemgate_common INTERFACE
    QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CONTEXTLESS_CONNECT QT_NO_URL_CAST_FROM_STRING
    QT_NO_FOREACH QT_USE_QSTRINGBUILDER QT_NO_KEYWORDS
    OPENSSL_API_COMPAT=30000 OPENSSL_NO_DEPRECATED
    GEMGATE_VERSION="${PROJECT_VERSION}")
