# Installation and the Debian package (CPack DEB): `make package`, or scripts/package.sh.
# The package holds both programs, a .desktop entry, the SVG icon, the CLI's man page, the
# modelaudit-serve systemd unit and a complete example project that scripts/package.sh generates in ${CMAKE_BINARY_DIR}/example
# with the programs just built.
include(GNUInstallDirs)

install(TARGETS modelaudit modelaudit-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/resources/modelaudit.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/modelaudit.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps)

# Debian ships man pages gzipped, without a timestamp (-n) so the package is reproducible.
set(manpage ${CMAKE_BINARY_DIR}/man/modelaudit-cli.1.gz)
add_custom_command(OUTPUT ${manpage}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/docs/modelaudit-cli.1 > ${manpage}
    DEPENDS ${PROJECT_SOURCE_DIR}/docs/modelaudit-cli.1
    COMMENT "Compressing the man page")
add_custom_target(manpage ALL DEPENDS ${manpage})
install(FILES ${manpage} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# The prediction API as a system service (packaging/modelaudit-serve.service), with a template
# of its settings for /etc/default/modelaudit-serve.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/modelaudit-serve.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/modelaudit-serve.env DESTINATION ${CMAKE_INSTALL_DATADIR}/modelaudit)

install(DIRECTORY ${CMAKE_BINARY_DIR}/example/ DESTINATION ${CMAKE_INSTALL_DATADIR}/modelaudit/example OPTIONAL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME modelaudit)
set(CPACK_PACKAGE_VENDOR "ModelAudit")
set(CPACK_PACKAGE_CONTACT "ModelAudit developers <dev@modelaudit.local>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "desktop studio for auditing machine-learning models")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "ModelAudit loads versioned data and models, shows per-slice performance with
confidence intervals and Aequitas-style bias metrics, edits and exports the
model card, and serves predictions on a local HTTP endpoint. modelaudit is the
Qt desktop application; modelaudit-cli runs every step headless.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://github.com/modelaudit/modelaudit")
# Libraries it links come from dpkg-shlibdeps; plugins Qt loads at run time do not, so:
# the platform plugins (xcb, offscreen). The SVG plugins come with libqt6svg6, which it links.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/package)
include(CPack)
