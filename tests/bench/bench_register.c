/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench_register.c: scripts/bench's register measurement (not a ctest test): writes a
 * deterministic N-row installation register (default 1,000,000; about 0.5 % deliberately bad rows)
 * to a temporary file, then times register_load (parse + validate + intern + index) and prints
 * "bench register_load rows=N seconds=S peak_rss_mib=M", after a reader-only pass over the same
 * file ("bench csv_read ..."). Usage: bench_register [rows] [dir]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "csv_read.h"
#include "identifiers.h"
#include "register.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(uint32_t n) /* xorshift64*, uniform enough for test data */
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 33) % n;
}

static void make_mpan(char out[14], uint64_t serial)
{
    snprintf(out, 14, "%02u%010llu", 10 + (unsigned)(serial % 14),
             (unsigned long long)(serial % 10000000000ull));
    out[12] = (char)('0' + mpan_check_digit(out));
    out[13] = '\0';
}

static void make_mprn(char out[11], uint64_t serial)
{
    snprintf(out, 11, "%08llu", (unsigned long long)(serial % 100000000ull));
    snprintf(out + 8, 3, "%02d", mprn_check_value(out, 8));
}

static int write_register(const char *path, size_t rows)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    static const char *const suppliers[] = {"Octo Energy", "Blue Gas", "Northern Power",
                                            "=Evil Supplier()", "Green & Co, Ltd"};
    static const char *const makers[] = {"Acme Meters", "Landis+Gyr", "Aclara", "Secure",
                                         "EDMI",        "Kaifa",      "Itron",  "Honeywell"};
    static const char *const statuses[] = {
        "Commissioned", "Commissioned",   "Commissioned", "InstalledNotCommissioned",
        "Pending",      "Decommissioned", "Suspended"};
    static const char *const regions[] = {"North", "Central", "South"};
    static const char *const hans[] = {"Single Band", "Dual Band"};
    static const char *const areas[] = {"AB", "IV", "KW", "G",  "EH", "M",  "B",  "SW",
                                        "EC", "CF", "LS", "NE", "BS", "PL", "TR", "OX"};
    fputs("DeviceID,DeviceType,DeviceStatus,DeviceManufacturer,DeviceModel,"
          "DeviceFirmwareVersion,ImportMPxN,CSPRegion,HANVariant,PostCode,Supplier,InstallDate,"
          "Notes\n",
          f);
    for (size_t i = 0; i < rows; i++) {
        uint64_t id = UINT64_C(0x001BC50C00000000) + i;
        char eui[EUI64_TEXT_LEN];
        eui64_format(id, eui);
        bool gas = rnd(3) == 0;
        char mpxn[14];
        if (gas)
            make_mprn(mpxn, i * 7919 + 13);
        else
            make_mpan(mpxn, i * 104729 + 17);
        unsigned maker = rnd(8);
        int y = 2019 + (int)rnd(4), mo = 1 + (int)rnd(12), d = 1 + (int)rnd(28);
        unsigned bad = rnd(200); /* 0.5 % bad rows: bad check digit */
        if (bad == 0) mpxn[strlen(mpxn) - 1] = mpxn[strlen(mpxn) - 1] == '0' ? '1' : '0';
        fprintf(f, "%s,%s,%s,%s,%s-%u,%u.%u.%u,%s,%s,%s,%s%u %u%c%c,\"%s\",%04d-%02d-%02d,%s\n",
                eui, gas ? "GSME" : "ESME", statuses[rnd(7)], makers[maker],
                maker == 0 ? "AM" : "M", 100 + rnd(3), 1 + rnd(3), rnd(10), rnd(5), mpxn,
                regions[rnd(3)], hans[rnd(2)], areas[rnd(16)], 1 + rnd(20), rnd(10), 'A' + rnd(26),
                'A' + rnd(26), suppliers[rnd(5)], y, mo, d,
                rnd(10) == 0 ? "\"note, with comma\"" : "");
    }
    return fclose(f);
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    const char *dir = argc > 2 ? argv[2] : "/tmp";
    char path[4096];
    snprintf(path, sizeof path, "%s/rfnoise-bench-register-%ld.csv", dir, (long)getpid());
    if (write_register(path, rows)) {
        fprintf(stderr, "bench_register: cannot write %s\n", path);
        return 1;
    }
    /* The reader alone first: its memory must not grow with the file (one block + one record). */
    csv_reader *cr = NULL;
    rfn_error err;
    double tr = now_s();
    if (csv_reader_open(path, NULL, &cr, &err)) {
        fprintf(stderr, "bench_register: %s\n", err.msg);
        return 1;
    }
    csv_record rec;
    size_t records = 0;
    while (csv_reader_next(cr, &rec, &err) == RFN_OK)
        records++;
    uint64_t bytes = csv_reader_offset(cr);
    csv_reader_destroy(cr);
    tr = now_s() - tr;
    struct rusage ru0;
    getrusage(RUSAGE_SELF, &ru0);
    printf("bench csv_read records=%zu mib=%.1f seconds=%.3f peak_rss_mib=%.1f\n", records,
           (double)bytes / 1048576.0, tr, (double)ru0.ru_maxrss / 1024.0);

    register_data *reg = NULL;
    double t0 = now_s();
    rfn_status st = register_load(path, NULL, &reg, &err);
    double t = now_s() - t0;
    remove(path);
    if (st) {
        fprintf(stderr, "bench_register: %s\n", err.msg);
        return 1;
    }
    const register_summary *s = register_get_summary(reg);
    /* A lookup per row through both indexes, as the join will do. */
    double t1 = now_s();
    size_t found = 0;
    for (size_t i = 0; i < register_count(reg); i++) {
        const register_row *r = &register_rows(reg)[i];
        found += register_find_device(reg, r->device_id) == r;
        found += register_mpxn_first(reg, r->mpxn_key) != REGISTER_NONE;
    }
    double tl = now_s() - t1;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    fprintf(stderr,
            "bench_register: read %llu accepted %llu rejected %llu errors %llu; "
            "%zu index lookups in %.3f s\n",
            (unsigned long long)s->rows_read, (unsigned long long)s->rows_accepted,
            (unsigned long long)s->rows_rejected, (unsigned long long)s->errors, found, tl);
    printf("bench register_load rows=%zu seconds=%.3f peak_rss_mib=%.1f\n", rows, t,
           (double)ru.ru_maxrss / 1024.0);
    register_destroy(reg);
    return 0;
}
