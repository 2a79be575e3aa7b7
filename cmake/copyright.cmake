# SPDX-License-Identifier: Apache-2.0
# Writes the .deb's debian/copyright (machine-readable format) from the LICENSE file at the root,
# so the package states exactly the licence the sources carry.
# Usage: cmake -DLICENSE=<LICENSE> -DOUTPUT=<copyright> -P copyright.cmake
file(READ ${LICENSE} license_text)
# In a copyright file's License paragraph every line of the text is indented one space and an
# empty line is written as " .".
string(REGEX REPLACE "\r" "" license_text "${license_text}")
string(REGEX REPLACE "^\n+" "" license_text "${license_text}")
string(REGEX REPLACE "\n+$" "" license_text "${license_text}")
string(REPLACE "\n" "\n " body "${license_text}")
string(REGEX REPLACE "\n \n" "\n .\n" body "${body}")
string(REGEX REPLACE "\n \n" "\n .\n" body "${body}")
file(WRITE ${OUTPUT}
"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: k8sjobs
Source: the k8sjobs source repository

Files: *
Copyright: the k8sjobs authors
License: Apache-2.0

License: Apache-2.0
 ${body}
")
