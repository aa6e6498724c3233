/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_atomic_file.c: outputs appear whole or not at all; an aborted write keeps the old file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "atomic_file.h"
#include "check.h"

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    static char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static int count_entries(const char *dir)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

int main(void)
{
    char dir[] = "/tmp/rfn_atomic_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[256];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    rfn_error err;

    CHECK_OK(atomic_file_write_all(path, "first\n", 6, &err));
    CHECK(strcmp(slurp(path), "first\n") == 0);

    atomic_file *af;
    CHECK_OK(atomic_file_open(path, &af, &err));
    fputs("second, half-written", atomic_file_stream(af));
    fflush(atomic_file_stream(af));
    /* While writing, the old content is what readers see. */
    CHECK(strcmp(slurp(path), "first\n") == 0);
    atomic_file_abort(af);
    CHECK(strcmp(slurp(path), "first\n") == 0);
    CHECK(count_entries(dir) == 1); /* no temporary left behind */

    CHECK_OK(atomic_file_open(path, &af, &err));
    fputs("third\n", atomic_file_stream(af));
    CHECK_OK(atomic_file_commit(af, &err));
    CHECK(strcmp(slurp(path), "third\n") == 0);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0044) != 0); /* not left 0600 */

    /* A directory that does not exist: a clear error naming the path. */
    CHECK(atomic_file_write_all("/nonexistent-dir/x.csv", "x", 1, &err) == RFN_ERR_IO);
    CHECK(strstr(err.msg, "/nonexistent-dir/x.csv") != NULL);

    unlink(path);
    rmdir(dir);
    return check_finish();
}
