# Every outside library the project links, found once here (all from Debian 12's packages,
# listed in tools/debian-packages.txt).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
pkg_check_modules(LMDB REQUIRED IMPORTED_TARGET lmdb)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(SDL2 REQUIRED IMPORTED_TARGET sdl2)
pkg_check_modules(CAMERA REQUIRED IMPORTED_TARGET libcamera)
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
pkg_check_modules(PNG REQUIRED IMPORTED_TARGET libpng)
pkg_check_modules(QRENCODE REQUIRED IMPORTED_TARGET libqrencode)
pkg_check_modules(ZBAR REQUIRED IMPORTED_TARGET zbar)  # QR codes from the camera preview (hardware/qr_scan)
pkg_check_modules(ESPEAK REQUIRED IMPORTED_TARGET espeak-ng)
# Video clips: H.264 (libx264) in MP4 through FFmpeg's libraries (hardware/video, docs/camera.md)
pkg_check_modules(AV REQUIRED IMPORTED_TARGET libavcodec libavformat libavutil libswscale)
# Spoken notes: Opus in Ogg (hardware/voice)
pkg_check_modules(OPUS REQUIRED IMPORTED_TARGET opus libopusenc opusfile)
pkg_check_modules(STB REQUIRED IMPORTED_TARGET stb)  # stb_truetype: the simulated printer's text
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(TOMLPP REQUIRED IMPORTED_TARGET tomlplusplus)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
pkg_check_modules(SQLITE REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(ICU REQUIRED IMPORTED_TARGET icu-uc)
# cpp-httplib: Debian builds it as a shared library (libcpp-httplib.so) with OpenSSL support.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(nlohmann_json REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(doctest REQUIRED)
find_package(ZLIB REQUIRED)  # CRC-32 of the region table (core/regions_format.hpp)

# libgettextpo (gettext's PO file parser) ships no pkg-config file.
find_library(GETTEXTPO_LIB gettextpo REQUIRED)
find_path(GETTEXTPO_INCLUDE gettext-po.h REQUIRED)
add_library(lapor_gettextpo INTERFACE)
target_link_libraries(lapor_gettextpo INTERFACE ${GETTEXTPO_LIB})
target_include_directories(lapor_gettextpo SYSTEM INTERFACE ${GETTEXTPO_INCLUDE})

# Dear ImGui 1.86: libimgui.a holds the core and the SDL2 platform backend; the SDL_Renderer
# backend ships only as source, compiled here.
pkg_check_modules(IMGUI REQUIRED IMPORTED_TARGET imgui)
add_library(lapor_imgui_sdlrenderer STATIC
  /usr/share/doc/libimgui-dev/examples/backends/imgui_impl_sdlrenderer.cpp)
target_include_directories(lapor_imgui_sdlrenderer SYSTEM PUBLIC /usr/include/imgui /usr/include/imgui/backends)
target_compile_options(lapor_imgui_sdlrenderer PRIVATE -w)
target_link_libraries(lapor_imgui_sdlrenderer PUBLIC PkgConfig::IMGUI PkgConfig::SDL2)
