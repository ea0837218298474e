/*
 * clock.c - elapsed, CPU and wall-clock seconds, and a full-length sleep
 * (see clock.h).
 *
 * Design: thin wrappers over clock_gettime() and nanosleep() that return
 * seconds as a double (tv_sec + tv_nsec * 1e-9: microsecond resolution is
 * kept for about 285 years of uptime). clock_gettime() cannot fail for
 * these clock ids on the systems we build for (POSIX 2008, Linux), so the
 * functions have no error result. No state; thread-safe.
 */
#include "common/clock.h"

#include <errno.h>
#include <time.h>

static double clock__read(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/**
 * Read the monotonic clock.
 *
 * @return seconds since an arbitrary origin (fixed while the system runs)
 */
double clock_mono_s(void)
{
    return clock__read(CLOCK_MONOTONIC);
}

/**
 * Read the CPU time of this process.
 *
 * @return CPU seconds used so far by all threads of the process
 */
double clock_cpu_s(void)
{
    return clock__read(CLOCK_PROCESS_CPUTIME_ID);
}

/**
 * Read the wall clock.
 *
 * @return seconds since 1970-01-01 00:00 UTC
 *
 * Notes:
 *   (1) The wall clock can jump (NTP, an administrator): measure elapsed
 *       time with clock_mono_s().
 */
double clock_wall_s(void)
{
    return clock__read(CLOCK_REALTIME);
}

/**
 * Sleep for a given time.
 *
 * @param[in] s  seconds; s <= 0 (or NaN) returns at once
 *
 * Notes:
 *   (1) A signal handled during the sleep does not cut it short: nanosleep
 *       is restarted with the time that was left.
 */
void clock_sleep_s(double s)
{
    if (!(s > 0))
        return;
    struct timespec ts;
    ts.tv_sec = (time_t)s;
    ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec > 999999999L)
        ts.tv_nsec = 999999999L;
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}
