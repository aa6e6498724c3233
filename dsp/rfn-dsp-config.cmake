# SPDX-License-Identifier: GPL-2.0-or-later
# rfn-dsp-config.cmake: find_package(rfn-dsp) gives the imported target rfn-dsp::rfn-dsp
# (librfn-dsp.so and its headers, #include <rfn-dsp/welch.h>). FFTW is a private dependency of
# the shared library: nothing more to find here.
include("${CMAKE_CURRENT_LIST_DIR}/rfn-dsp-targets.cmake")
