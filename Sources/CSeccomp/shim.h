#ifndef AI4SCI_CSECCOMP_SHIM_H
#define AI4SCI_CSECCOMP_SHIM_H
// libseccomp comes from Debian's libseccomp-dev. If this include fails, install it:
//     apt-get install -y libseccomp-dev
#if __has_include(<seccomp.h>)
#include <seccomp.h>
#else
#error "libseccomp headers not found: install them with `apt-get install -y libseccomp-dev` (Debian/Ubuntu) or `dnf install libseccomp-devel` (Fedora)"
#endif
#endif
