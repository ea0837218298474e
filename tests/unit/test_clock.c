/* test_clock.c - common/clock: monotonic, CPU and wall seconds, sleep. */
#include "common/clock.h"
#include "tests/unit/test.h"

#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static void clock_mono_s__repeated_reads__never_decrease(void)
{
    double prev = clock_mono_s();
    for (int i = 0; i < 100000; i++) {
        double t = clock_mono_s();
        CHECK(t >= prev);
        if (t < prev)
            break;
        prev = t;
    }
}

static void clock_sleep_s__50ms__mono_advances_by_it(void)
{
    double t0 = clock_mono_s();
    clock_sleep_s(0.05);
    double dt = clock_mono_s() - t0;
    CHECK(dt >= 0.05);
    CHECK(dt < 5.0); /* a loaded machine, but not a lost wake-up */
}

static void clock_sleep_s__zero_negative_nan__return_at_once(void)
{
    double t0 = clock_mono_s();
    clock_sleep_s(0);
    clock_sleep_s(-3);
    clock_sleep_s(NAN);
    CHECK(clock_mono_s() - t0 < 0.5);
}

static volatile sig_atomic_t alarms;
static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static void clock_sleep_s__signal_midway__sleeps_the_whole_time(void)
{
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm; /* no SA_RESTART: nanosleep returns EINTR */
    sigaction(SIGALRM, &sa, &old);
    struct itimerval it = {{0, 0}, {0, 30000}}; /* once, after 30 ms */
    alarms = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    double t0 = clock_mono_s();
    clock_sleep_s(0.2);
    double dt = clock_mono_s() - t0;
    sigaction(SIGALRM, &old, NULL);
    CHECK(alarms == 1);
    CHECK(dt >= 0.2);
}

static void clock_cpu_s__busy_then_asleep__counts_only_work(void)
{
    double c0 = clock_cpu_s(), t0 = clock_mono_s();
    volatile double x = 0;
    while (clock_cpu_s() - c0 < 0.05)
        x += 1.0;
    double busy = clock_cpu_s() - c0;
    CHECK(busy >= 0.05);
    CHECK(clock_mono_s() - t0 >= busy * 0.5); /* one thread: cpu ~ elapsed */
    double c1 = clock_cpu_s();
    clock_sleep_s(0.1);
    CHECK(clock_cpu_s() - c1 < 0.05); /* sleeping costs no CPU */
}

static void clock_wall_s__now__agrees_with_time(void)
{
    time_t a = time(NULL);
    double w = clock_wall_s();
    time_t b = time(NULL);
    /* time() may read a coarse clock a tick behind: a second of slack */
    CHECK(w >= (double)a - 1.0 && w < (double)b + 2.0);
}

int main(void)
{
    RUN(clock_mono_s__repeated_reads__never_decrease);
    RUN(clock_sleep_s__50ms__mono_advances_by_it);
    RUN(clock_sleep_s__zero_negative_nan__return_at_once);
    RUN(clock_sleep_s__signal_midway__sleeps_the_whole_time);
    RUN(clock_cpu_s__busy_then_asleep__counts_only_work);
    RUN(clock_wall_s__now__agrees_with_time);
    TEST_EXIT();
}
