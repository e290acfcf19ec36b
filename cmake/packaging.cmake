# Install rules and the Debian packages (CPack's DEB generator; docs/packaging.md says why).
# `cpack --config build/gcc/CPackConfig.cmake -B build/gcc/packages` makes one .deb per component:
#   lapor-common   data (regions, catalog, translations), /etc/lapor/lapor.toml, user and state dir
#   lapor-kiosk    the touchscreen program and its unit (cage on the first display)
#   lapor-syncd    the delivery agent and its unit
#   lapor-tools    lapor-ctl, lapor-hwtest, first-boot secrets, the retention purge
#   lapor-testing  lapor-sandbox, lapor-linkemu, lapor-store-soak: never on a kiosk in service
set(LAPOR_DEB_DIR ${CMAKE_SOURCE_DIR}/image/debian)
set(LAPOR_UNIT_DIR ${CMAKE_SOURCE_DIR}/image/systemd)

install(TARGETS lapor-kiosk RUNTIME DESTINATION bin COMPONENT kiosk)
install(TARGETS lapor-syncd RUNTIME DESTINATION bin COMPONENT syncd)
install(TARGETS lapor-ctl lapor-hwtest RUNTIME DESTINATION bin COMPONENT tools)
install(TARGETS lapor-sandbox lapor-linkemu lapor-store-soak RUNTIME DESTINATION bin COMPONENT testing)

install(FILES ${CMAKE_BINARY_DIR}/data/regions.bin DESTINATION share/lapor COMPONENT common)
install(FILES ${CMAKE_SOURCE_DIR}/data/catalog.json DESTINATION share/lapor/data COMPONENT common)
file(GLOB LAPOR_PO_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/po/*.po)
install(FILES ${LAPOR_PO_FILES} DESTINATION share/lapor/po COMPONENT common)
install(FILES ${LAPOR_DEB_DIR}/lapor.toml DESTINATION /etc/lapor COMPONENT common)
install(FILES ${LAPOR_DEB_DIR}/sysusers.conf DESTINATION lib/sysusers.d RENAME lapor.conf
        COMPONENT common)
install(FILES ${LAPOR_DEB_DIR}/tmpfiles.conf DESTINATION lib/tmpfiles.d RENAME lapor.conf
        COMPONENT common)
install(FILES ${CMAKE_SOURCE_DIR}/sync/sandbox/catalog.json DESTINATION share/lapor/sandbox
        COMPONENT testing)

install(FILES ${LAPOR_UNIT_DIR}/lapor-kiosk.service DESTINATION /lib/systemd/system COMPONENT kiosk)
install(FILES ${LAPOR_UNIT_DIR}/lapor-syncd.service DESTINATION /lib/systemd/system COMPONENT syncd)
install(PROGRAMS ${CMAKE_SOURCE_DIR}/image/lapor-office-hours DESTINATION libexec COMPONENT tools)
install(FILES ${LAPOR_UNIT_DIR}/lapor-firstboot.service ${LAPOR_UNIT_DIR}/lapor-purge.service
              ${LAPOR_UNIT_DIR}/lapor-purge.timer ${LAPOR_UNIT_DIR}/lapor-office-hours.service
              ${LAPOR_UNIT_DIR}/lapor-office-hours.timer
        DESTINATION /lib/systemd/system COMPONENT tools)
install(FILES ${LAPOR_UNIT_DIR}/lapor-sandbox.service DESTINATION /lib/systemd/system
        COMPONENT testing)

# Every package carries the copyright file and a Debian changelog, as Debian policy asks.
foreach(component common kiosk syncd tools testing)
  if(component STREQUAL "syncd")
    set(pkg lapor-syncd)
  else()
    set(pkg lapor-${component})
  endif()
  install(FILES ${LAPOR_DEB_DIR}/copyright DESTINATION share/doc/${pkg} COMPONENT ${component})
  set(changelog ${CMAKE_BINARY_DIR}/packaging/${pkg}/changelog.Debian.gz)
  add_custom_command(OUTPUT ${changelog}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/packaging/${pkg}
    COMMAND sh -c "sed 's/^PACKAGE /${pkg} /' '${LAPOR_DEB_DIR}/changelog' | gzip -9n > '${changelog}'"
    DEPENDS ${LAPOR_DEB_DIR}/changelog VERBATIM)
  list(APPEND LAPOR_CHANGELOGS ${changelog})
  install(FILES ${changelog} DESTINATION share/doc/${pkg} COMPONENT ${component})
endforeach()
add_custom_target(lapor_changelogs ALL DEPENDS ${LAPOR_CHANGELOGS})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lapor)
set(CPACK_PACKAGE_VENDOR "LAPOR! Kiosk")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL common kiosk syncd tools testing)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "LAPOR! Kiosk maintainers <maintainers@lapor-kiosk.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://lapor-kiosk.invalid/")
# Depends from the programs' shared libraries (dpkg-shlibdeps), plus what a program runs or reads
# without linking it, written below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(LAPOR_COMMON_DEP "lapor-common (= ${PROJECT_VERSION}-1)")

set(CPACK_COMPONENT_COMMON_DESCRIPTION "LAPOR! Kiosk: shared data, configuration and user
The region table, the default catalog of agencies, the translations, the
configuration file /etc/lapor/lapor.toml, the lapor system user and the state
directory /var/lib/lapor.")
set(CPACK_DEBIAN_COMMON_PACKAGE_NAME lapor-common)
set(CPACK_DEBIAN_COMMON_PACKAGE_ARCHITECTURE all)
set(CPACK_DEBIAN_COMMON_PACKAGE_DEPENDS "systemd (>= 252)")
set(CPACK_DEBIAN_COMMON_PACKAGE_CONTROL_EXTRA "${LAPOR_DEB_DIR}/common/conffiles;${LAPOR_DEB_DIR}/common/postinst")

set(CPACK_COMPONENT_KIOSK_DESCRIPTION "LAPOR! Kiosk: the touchscreen program
lapor-kiosk, where citizens file reports for SP4N-LAPOR!, full screen in the
cage Wayland compositor on the first display (lapor-kiosk.service).")
set(CPACK_DEBIAN_KIOSK_PACKAGE_NAME lapor-kiosk)
set(CPACK_DEBIAN_KIOSK_PACKAGE_DEPENDS
    "${LAPOR_COMMON_DEP}, cage, seatd, xwayland, fonts-noto-core, fonts-dejavu-core, espeak-ng-data")
set(CPACK_DEBIAN_KIOSK_PACKAGE_RECOMMENDS "lapor-syncd, lapor-tools")
set(CPACK_DEBIAN_KIOSK_PACKAGE_CONTROL_EXTRA "${LAPOR_DEB_DIR}/service/postinst;${LAPOR_DEB_DIR}/service/prerm;${LAPOR_DEB_DIR}/service/postrm")

set(CPACK_COMPONENT_SYNCD_DESCRIPTION "LAPOR! Kiosk: the delivery agent
lapor-syncd carries the kiosk's outbox to the national system whenever a
network is there, and brings back tracking IDs and status
(lapor-syncd.service).")
set(CPACK_DEBIAN_SYNCD_PACKAGE_NAME lapor-syncd)
set(CPACK_DEBIAN_SYNCD_PACKAGE_DEPENDS "${LAPOR_COMMON_DEP}, ca-certificates")
set(CPACK_DEBIAN_SYNCD_PACKAGE_CONTROL_EXTRA "${LAPOR_DEB_DIR}/service/postinst;${LAPOR_DEB_DIR}/service/prerm;${LAPOR_DEB_DIR}/service/postrm")

set(CPACK_COMPONENT_TOOLS_DESCRIPTION "LAPOR! Kiosk: operators' and technicians' tools
lapor-ctl (store status, verify, enrolment) and lapor-hwtest (camera,
printer, speech), the first-boot secrets, the daily retention purge and the
display's office hours.")
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME lapor-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "${LAPOR_COMMON_DEP}, fonts-dejavu-core, espeak-ng-data")
set(CPACK_DEBIAN_TOOLS_PACKAGE_CONTROL_EXTRA "${LAPOR_DEB_DIR}/service/postinst;${LAPOR_DEB_DIR}/service/prerm;${LAPOR_DEB_DIR}/service/postrm")

set(CPACK_COMPONENT_TESTING_DESCRIPTION "LAPOR! Kiosk: reference server and link emulator
lapor-sandbox (a stand-in for the national system) and lapor-linkemu (a bad
network on demand), for tests and demos. Not for a kiosk in service.")
set(CPACK_DEBIAN_TESTING_PACKAGE_NAME lapor-testing)
set(CPACK_DEBIAN_TESTING_PACKAGE_DEPENDS "${LAPOR_COMMON_DEP}")
set(CPACK_DEBIAN_TESTING_PACKAGE_CONTROL_EXTRA "${LAPOR_DEB_DIR}/service/postinst;${LAPOR_DEB_DIR}/service/prerm;${LAPOR_DEB_DIR}/service/postrm")

include(CPack)
