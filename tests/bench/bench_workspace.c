/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_workspace.c: scripts/bench's workspace lines: import a generated 1,000,000-row register
 * into a fresh workspace with the real rfnoise binary ("bench workspace_import rows=N seconds=S
 * peak_rss_mib=M"; target <= 30 s, <= 1 GiB), add validate results for every device (1 %
 * non-compliant), open the cases, time the report ("bench report seconds=S"; <= 10 s), then
 * import the next month's snapshot with those cases open ("bench workspace_import_next";
 * <= 30 s: issue 15, where it used to run for over 12 minutes).
 * Usage: rfnoise_bench_workspace RFNOISE ROWS TMPDIR */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "identifiers.h"

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(uint32_t n) /* xorshift64* */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 33) % n;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *const suppliers[] = {"Octo Energy", "Blue Gas", "Northern Power",
                                        "=Evil Supplier()", "Green & Co, Ltd"};
static const char *const makers[] = {"Acme Meters", "Landis+Gyr", "Aclara", "Secure"};
static const char *const regions[] = {"North", "Central", "South"};

/* Whether row i changes in snapshot `month` (> 0) with probability churn: a hash of both, so
 * each snapshot's changes are its own and every run draws the same ones. */
static bool churned(size_t i, unsigned month, double churn)
{
    uint64_t h = (uint64_t)i * UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)month * 0xBF58476D1CE4E5B9u;
    h ^= h >> 31;
    h *= UINT64_C(0x94D049BB133111EB);
    h ^= h >> 29;
    return month > 0 && (double)(h >> 11) * 0x1.0p-53 < churn;
}

/* One row per device; the same draws make the register and the validate devices.csv. Snapshot
 * `month` > 0 (dev_path NULL) is the same register a month on with a share churn of its rows
 * changed: half of them to another Supplier, half Decommissioned (the meter left the wall). */
static int write_files(const char *reg_path, const char *dev_path, size_t rows, unsigned month,
                       double churn)
{
    rng_state = 0x9E3779B97F4A7C15u;
    FILE *f = fopen(reg_path, "w"), *g = dev_path ? fopen(dev_path, "w") : fopen("/dev/null", "w");
    if (!f || !g) return -1;
    fputs("DeviceID,DeviceType,DeviceStatus,DeviceManufacturer,DeviceModel,"
          "DeviceFirmwareVersion,ImportMPxN,CSPRegion,HANVariant,PostCode,Supplier,InstallDate\n",
          f);
    fputs("Supplier,ImportMPxN,DeviceID,DeviceType,DeviceManufacturer,DeviceModel,"
          "DeviceFirmwareVersion,CSPRegion,HANVariant,PostCode,InstallDate,DeviceStatus,verdict,"
          "reasons,worst_band,measured,limit,unit,margin_db,evidence,n_captures,derogation_ref,"
          "limit_set_id,limit_set_version\n",
          g);
    for (size_t i = 0; i < rows; i++) {
        char eui[EUI64_TEXT_LEN], mpan[14];
        eui64_format(UINT64_C(0x001BC50C00000000) + i, eui);
        snprintf(mpan, 14, "%02u%010llu", 10 + (unsigned)(i % 14),
                 (unsigned long long)((i * 104729 + 17) % 10000000000ull));
        mpan[12] = (char)('0' + mpan_check_digit(mpan));
        mpan[13] = '\0';
        const char *sup = suppliers[rnd(5)], *mk = makers[rnd(4)], *reg = regions[rnd(3)];
        unsigned model = 100 + rnd(3), fw = rnd(5);
        int y = 2021 + (int)rnd(5), mo = 1 + (int)rnd(12), d = 1 + (int)rnd(28);
        unsigned v = rnd(100);
        const char *verdict = v == 0  ? "non-compliant"
                              : v < 6 ? "derogation-compliant"
                                      : "compliant";
        unsigned pc = 1 + rnd(20);
        const char *status = "Commissioned", *sup_now = sup;
        for (unsigned m = 1; m <= month; m++)
            if (churned(i, m, churn)) {
                if ((i + m) % 2)
                    sup_now = suppliers[(i + m) % 5];
                else
                    status = "Decommissioned";
            }
        fprintf(f,
                "%s,ESME,%s,%s,M-%u,1.%u,%s,%s,Dual Band,AB%u 1AA,\"%s\","
                "%04d-%02d-%02d\n",
                eui, status, mk, model, fw, mpan, reg, pc, sup_now, y, mo, d);
        fprintf(g,
                "\"%s\",%s,%s,ESME,%s,M-%u,1.%u,%s,Dual Band,AB1 1AA,%04d-%02d-%02d,"
                "Commissioned,%s,%s,wan-cell-900,-60.0,-65.0,dBm,%s,capture,1,D-1,ls,1\n",
                sup, mpan, eui, mk, model, fw, reg, y, mo, d, verdict,
                v == 0 ? "exceeds-limit" : "", v == 0 ? "-5.00" : "3.00");
    }
    int r = fclose(f);
    return fclose(g) | r;
}

static double last_cpu_s; /* CPU seconds (user + system) of the last run: steadier than wall
                           * time on a shared machine */

/* Run argv, return wall seconds; *rss_mib = the child's peak RSS. */
static double run(char *const argv[], double *rss_mib)
{
    fflush(stdout); /* or the child's exit would write the buffered lines again */
    double t0 = now_s();
    pid_t pid = fork();
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stdout)) _exit(127);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    struct rusage ru;
    if (pid < 0 || wait4(pid, &status, 0, &ru) < 0 || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_workspace: %s %s failed\n", argv[0], argv[1]);
        exit(1);
    }
    if (rss_mib) *rss_mib = (double)ru.ru_maxrss / 1024.0;
    last_cpu_s = (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
                 (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
    return now_s() - t0;
}

/* The workspace's size on disk in MiB: the database and its write-ahead log. */
static double db_mib(const char *ws)
{
    char path[700];
    struct stat st;
    double b = 0;
    snprintf(path, sizeof path, "%s/workspace.db", ws);
    if (stat(path, &st) == 0) b += (double)st.st_size;
    snprintf(path, sizeof path, "%s/workspace.db-wal", ws);
    if (stat(path, &st) == 0) b += (double)st.st_size;
    return b / (1024.0 * 1024.0);
}

/* The non-compliant rows of devices.csv: the cases `remediation open` opened. */
static size_t n_cases(const char *dev_path)
{
    FILE *f = fopen(dev_path, "r");
    char line[1024];
    size_t n = 0;
    while (f && fgets(line, sizeof line, f))
        n += strstr(line, ",non-compliant,") != NULL;
    if (f) fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: rfnoise_bench_workspace RFNOISE ROWS TMPDIR\n");
        return 2;
    }
    char *rf = argv[1];
    size_t rows = (size_t)strtoull(argv[2], NULL, 10);
    char dir[512], reg[600], res[600], dev[700], ws[600], out[600], cmd[1400];
    snprintf(dir, sizeof dir, "%s/rfnoise-bench-ws.XXXXXX", argv[3]);
    if (!mkdtemp(dir)) return 1;
    snprintf(reg, sizeof reg, "%s/register.csv", dir);
    snprintf(res, sizeof res, "%s/results", dir);
    snprintf(dev, sizeof dev, "%s/devices.csv", res);
    snprintf(ws, sizeof ws, "%s/ws", dir);
    snprintf(out, sizeof out, "%s/report", dir);
    snprintf(cmd, sizeof cmd, "mkdir -p '%s'", res);
    if (system(cmd) != 0 || write_files(reg, dev, rows, 0, 0) != 0) return 1;
    double rss = 0;
    run((char *[]){rf, "workspace", "init", ws, NULL}, NULL);
    double s_imp = run((char *[]){rf, "workspace", "import-register", "--workspace", ws, "--quiet",
                                  "--as-of", "2026-06-01", reg, NULL},
                       &rss);

    printf("bench workspace_import rows=%zu seconds=%.2f cpu_seconds=%.2f peak_rss_mib=%.0f\n",
           rows, s_imp, last_cpu_s, rss);
    double s_add =
        run((char *[]){rf, "workspace", "add-results", "--workspace", ws, res, NULL}, &rss);
    printf("bench workspace_add_results rows=%zu seconds=%.2f cpu_seconds=%.2f peak_rss_mib=%.0f\n",
           rows, s_add, last_cpu_s, rss);
    run((char *[]){rf, "remediation", "open", "--workspace", ws, "--notice-date", "2026-06-05",
                   NULL},
        NULL);
    double s_rep = run(
        (char *[]){rf, "report", "--workspace", ws, "--as-of", "2026-07-01", "--out", out, NULL},
        &rss);
    printf("bench report rows=%zu seconds=%.2f cpu_seconds=%.2f peak_rss_mib=%.0f\n", rows, s_rep,
           last_cpu_s, rss);
    /* The next month's snapshot, with the cases open (issue 15: where it used to break). */
    if (write_files(reg, NULL, rows, 1, 0.02) != 0) return 1;
    double s_next = run((char *[]){rf, "workspace", "import-register", "--workspace", ws,
                                   "--quiet", "--as-of", "2026-07-01", reg, NULL},
                        &rss);
    printf("bench workspace_import_next rows=%zu cases=%zu seconds=%.2f cpu_seconds=%.2f "
           "peak_rss_mib=%.0f\n",
           rows, n_cases(dev), s_next, last_cpu_s, rss);
    /* Twelve monthly snapshots at 2 % churn into a workspace of their own, stored as changes
     * (schema 3: target at most twice the room the first takes). */
    char ws2[620];
    snprintf(ws2, sizeof ws2, "%s2", ws);
    run((char *[]){rf, "workspace", "init", ws2, NULL}, NULL);
    double s_all = 0, first_mib = 0;
    for (unsigned m = 0; m <= 11; m++) {
        char as_of[16];
        snprintf(as_of, sizeof as_of, "2026-%02u-01", 6 + m);
        if (m > 6) snprintf(as_of, sizeof as_of, "2027-%02u-01", m - 6);
        if (write_files(reg, NULL, rows, m, 0.02) != 0) return 1;
        s_all += run((char *[]){rf, "workspace", "import-register", "--workspace", ws2,
                                "--quiet", "--as-of", as_of, reg, NULL},
                     NULL);
        if (m == 0) first_mib = db_mib(ws2);
    }
    printf("bench workspace_snapshots rows=%zu snapshots=12 churn=0.02 seconds=%.2f db_mib=%.0f "
           "first_db_mib=%.0f ratio=%.2f\n",
           rows, s_all, db_mib(ws2), first_mib, db_mib(ws2) / first_mib);
    fflush(stdout);
    if (getenv("BENCH_WORKSPACE_KEEP")) { /* for profiling: keep the files */
        fprintf(stderr, "bench_workspace: kept %s\n", dir);
        return 0;
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
