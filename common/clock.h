/*
 * clock.h - the clocks inkpipe reads: elapsed (monotonic), CPU time of the
 * process, wall-clock time, and a sleep that outlasts signals.
 *
 * Files (prefix clock_): clock.c.
 *
 * Every timer in the project (progress lines, timeouts, benchmarks, the
 * per-item timings of the workers) reads one of these, in seconds as a
 * double, so that no module grows its own clock_gettime() wrapper.
 * Threading: all functions are thread-safe (no state).
 */
#ifndef INKPIPE_CLOCK_H
#define INKPIPE_CLOCK_H

/* Seconds on the monotonic clock (CLOCK_MONOTONIC): for elapsed times and
 * deadlines; never jumps with the system time. The origin is arbitrary. */
double clock_mono_s(void);

/* CPU seconds used by this process, all threads (CLOCK_PROCESS_CPUTIME_ID). */
double clock_cpu_s(void);

/* Seconds since the Unix epoch (CLOCK_REALTIME): only to compare with file
 * times (st_mtim) or to stamp records; elapsed times use clock_mono_s(). */
double clock_wall_s(void);

/* Sleep for s seconds (s <= 0: return at once), restarting after signals
 * until the whole time has passed. */
void clock_sleep_s(double s);

#endif
