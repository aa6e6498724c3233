/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_error.c: every status has a real message; error records stay one line. */
#include <string.h>

#include "check.h"
#include "rfn_error.h"

int main(void)
{
    for (int s = 0; s < RFN_STATUS_COUNT; s++) {
        const char *m = rfn_strerror((rfn_status)s);
        CHECK_MSG(m && strcmp(m, "unknown status") != 0 && strlen(m) > 3, "status %d", s);
    }
    CHECK(strcmp(rfn_strerror(RFN_STATUS_COUNT), "unknown status") == 0);
    CHECK(strcmp(rfn_strerror((rfn_status)-1), "unknown status") == 0);

    rfn_error err;
    rfn_error_clear(&err);
    CHECK(err.status == RFN_OK && err.msg[0] == '\0');
    CHECK(rfn_error_set(&err, RFN_ERR_FORMAT, "line %d:\nbad", 3) == RFN_ERR_FORMAT);
    CHECK(err.status == RFN_ERR_FORMAT);
    CHECK(strcmp(err.msg, "line 3: bad") == 0);
    rfn_error_prefix(&err, "%s: ", "reg.csv");
    CHECK(strcmp(err.msg, "reg.csv: line 3: bad") == 0);
    CHECK(rfn_error_set(NULL, RFN_ERR_IO, "x") == RFN_ERR_IO);

    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    rfn_error_set(&err, RFN_ERR_INVALID, "%s", big);
    CHECK(strlen(err.msg) == sizeof err.msg - 1);
    return check_finish();
}
